"""Following log files across rotation, with positions that survive restarts.

A file is known by (device, inode): a rotation by rename is noticed when the path names
another inode, and the old file is read to its end first (also after a restart, by finding
the inode again in the same directory); a truncation (copytruncate) when the size falls
below the position. Each line gets a key from the file's identity and its offset, so a line
that is sent again after a crash is recognised by the server."""
import dataclasses
import glob
import hashlib
import json
import os

MAX_READ = 1024 * 1024
MAX_LINE = 32768


@dataclasses.dataclass
class RawLine:
    text: str
    key: str          # stable across restarts: host, file identity, offset
    end: int          # the offset after this line


class Positions:
    """{path: {dev, ino, offset, gen}} in a JSON file, replaced atomically (gen: how often
    the file was truncated in place, so that its new lines get new keys)."""

    def __init__(self, path: str | None):
        self.path = path
        self.data: dict[str, dict] = {}
        if path and os.path.exists(path):
            with open(path) as f:
                self.data = json.load(f)

    def get(self, path: str) -> dict | None:
        return self.data.get(path)

    def set(self, path: str, dev: int, ino: int, offset: int, gen: int) -> None:
        self.data[path] = {"dev": dev, "ino": ino, "offset": offset, "gen": gen}

    def save(self) -> None:
        if not self.path:
            return
        tmp = f"{self.path}.tmp"
        with open(tmp, "w") as f:
            json.dump(self.data, f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, self.path)


def _find_inode(directory: str, dev: int, ino: int) -> str | None:
    try:
        for entry in os.scandir(directory):
            st = entry.stat(follow_symlinks=False)
            if (st.st_dev, st.st_ino) == (dev, ino) and entry.is_file():
                return entry.path
    except OSError:
        pass
    return None


class Follower:
    """One path. `read` returns complete lines after the committed offset; `commit` moves
    the offset once the server has them (so a crash re-reads, never skips)."""

    def __init__(self, path: str, host: str, positions: Positions, from_end: bool):
        self.path, self.host, self.positions = path, host, positions
        self.fh = None
        self.dev = self.ino = self.offset = self.gen = 0
        self._open_first(from_end)

    def _open_first(self, from_end: bool) -> None:
        saved = self.positions.get(self.path)
        try:
            st = os.stat(self.path)
        except FileNotFoundError:
            st = None
        if saved and (st is None or (st.st_dev, st.st_ino) != (saved["dev"], saved["ino"])):
            rotated = _find_inode(os.path.dirname(self.path) or ".", saved["dev"], saved["ino"])
            if rotated is not None:  # rotated while we were down: finish the old file first
                self._open(rotated, saved["offset"], saved.get("gen", 0))
                return
        if st is None:
            return
        if saved and (st.st_dev, st.st_ino) == (saved["dev"], saved["ino"]):
            gen = saved.get("gen", 0)
            if st.st_size >= saved["offset"]:
                self._open(self.path, saved["offset"], gen)
            else:  # truncated while we were down
                self._open(self.path, 0, gen + 1)
        else:
            self._open(self.path, st.st_size if from_end and not saved else 0)

    def _open(self, path: str, offset: int, gen: int = 0) -> None:
        self.fh = open(path, "rb")
        st = os.fstat(self.fh.fileno())
        self.dev, self.ino = st.st_dev, st.st_ino
        self._start(offset, gen)

    def _start(self, offset: int, gen: int) -> None:
        self.offset, self.gen = offset, gen
        self._id = hashlib.sha1(f"{self.host}|{self.path}|{self.dev}|{self.ino}|{gen}"
                                .encode()).hexdigest()[:20]
        self.positions.set(self.path, self.dev, self.ino, offset, gen)

    def _reopen_if_rotated(self) -> None:
        """At the end of the open file: switch to the file now at the path, if another."""
        try:
            st = os.stat(self.path)
        except FileNotFoundError:
            return
        if self.fh is None:
            self._open(self.path, 0)
        elif (st.st_dev, st.st_ino) != (self.dev, self.ino):
            self.fh.close()
            self._open(self.path, 0)
        elif st.st_size < self.offset:  # truncated in place
            self._start(0, self.gen + 1)

    def read(self, max_lines: int) -> list[RawLine]:
        if self.fh is None:
            self._reopen_if_rotated()
            if self.fh is None:
                return []
        lines = self._read_from(self.offset, max_lines)
        if not lines:
            self._reopen_if_rotated()
            lines = self._read_from(self.offset, max_lines)
        return lines

    def _read_from(self, offset: int, max_lines: int) -> list[RawLine]:
        self.fh.seek(offset)
        data = self.fh.read(MAX_READ)
        out = []
        start = 0
        while len(out) < max_lines:
            nl = data.find(b"\n", start)
            if nl < 0 and start == 0 and len(data) == MAX_READ:
                nl = len(data) - 1  # a line longer than a read: cut (it is cut to MAX_LINE)
            elif nl < 0:
                break  # an unfinished line waits for its end
            text = data[start:nl].decode("utf-8", errors="replace").rstrip("\r")[:MAX_LINE]
            if text.strip():
                out.append(RawLine(text, f"{self._id}:{offset + start}", offset + nl + 1))
            start = nl + 1
        if not out and start:  # only blank lines: move past them
            self.offset = offset + start
        return out

    def commit(self, end: int) -> None:
        self.offset = end
        self.positions.set(self.path, self.dev, self.ino, end, self.gen)

    def close(self) -> None:
        if self.fh is not None:
            self.fh.close()


class Watch:
    """The files a glob names now and later (a file created later is read from its start)."""

    def __init__(self, pattern: str, host: str, positions: Positions, from_end: bool):
        self.pattern, self.host, self.positions = pattern, host, positions
        self.followers: dict[str, Follower] = {}
        self.scan(from_end)

    def scan(self, from_end: bool = False) -> None:
        paths = sorted(glob.glob(self.pattern)) if glob.has_magic(self.pattern) \
            else [self.pattern]
        for path in paths:
            if path not in self.followers:
                self.followers[path] = Follower(path, self.host, self.positions, from_end)
