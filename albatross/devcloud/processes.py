"""Start, find and stop the dev cloud's processes.

Each process is started in its own session (pid == process group id == session id); its
PID file run/<name>.pid holds "PID STARTTIME" (the start time from /proc/PID/stat). A PID
counts as ours only while a process with that PID *and* that start time exists, so a
stale PID file can never make us signal somebody else's process. (The environment tag
ALBATROSS_DEVCLOUD_TAG is set too, for humans; it is not relied upon, because
setproctitle in the nova daemons overwrites /proc/PID/environ.) Nothing is ever looked
up or stopped by process name.
"""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

from .settings import HOST, DevCloudError, Paths, log

TAG_VAR = "ALBATROSS_DEVCLOUD_TAG"
_children: list[subprocess.Popen] = []   # keep Popen objects alive (no ResourceWarning)


def tag(paths: Paths, name: str) -> str:
    return f"{paths.base}:{name}"


def _stat(pid: int) -> tuple[str, int, int, int] | None:
    """(state, process group, session, start time) of a live process, else None."""
    try:
        f = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        st = (f[0], int(f[2]), int(f[3]), int(f[19]))
    except (OSError, IndexError, ValueError):
        return None
    return None if st[0] in ("Z", "X") else st


def _reap(pid: int) -> None:
    try:
        os.waitpid(pid, os.WNOHANG)   # only succeeds for our own children (zombies)
    except ChildProcessError:
        pass


def _read_pidfile(paths: Paths, name: str) -> tuple[int, int | None] | None:
    try:
        parts = paths.pidfile(name).read_text().split()
        return int(parts[0]), (int(parts[1]) if len(parts) > 1 else None)
    except (OSError, ValueError, IndexError):
        return None


def is_ours(pid: int, paths: Paths, name: str) -> bool:
    _reap(pid)
    st = _stat(pid)
    rec = _read_pidfile(paths, name)
    if st is None or rec is None or rec[0] != pid:
        return False
    if rec[1] is not None:
        return st[3] == rec[1]
    try:   # PID file without start time: fall back to the environment tag
        env = Path(f"/proc/{pid}/environ").read_bytes() + b"\0"
    except OSError:
        return False
    return f"{TAG_VAR}={tag(paths, name)}\0".encode() in env


def read_pid(paths: Paths, name: str) -> int | None:
    rec = _read_pidfile(paths, name)
    return rec[0] if rec else None


def running_pid(paths: Paths, name: str) -> int | None:
    """PID of our running process `name`, or None (a stale PID file is removed)."""
    pid = read_pid(paths, name)
    if pid is None:
        return None
    if is_ours(pid, paths, name):
        return pid
    paths.pidfile(name).unlink(missing_ok=True)
    return None


def session_members(leader: int, start: int) -> list[int]:
    """Live processes of the session that `leader` (started at `start`) created."""
    pids = []
    for d in os.listdir("/proc"):
        if d.isdigit():
            st = _stat(int(d))
            if st and st[2] == leader and st[3] >= start:
                pids.append(int(d))
    return pids


def child_env(paths: Paths, name: str, extra: dict | None = None) -> dict:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("OS_", "PYTHON", "VIRTUAL_ENV", "UWSGI_"))}
    env["PATH"] = f"{paths.bin}:{env.get('PATH', '/usr/sbin:/usr/bin:/sbin:/bin')}"
    env[TAG_VAR] = tag(paths, name)
    env.update(extra or {})
    return env


def spawn(paths: Paths, name: str, argv: list[str], env: dict | None = None,
          log_name: str | None = None) -> int:
    """Start argv in a new session, detached, output to logs/<log_name>; write the PID file."""
    logf = open(paths.logs / (log_name or f"{name}.out"), "ab")
    try:
        p = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=logf, stderr=subprocess.STDOUT,
                             cwd=str(paths.run), env=child_env(paths, name, env),
                             start_new_session=True, close_fds=True)
    finally:
        logf.close()
    _children.append(p)
    st = _stat(p.pid)
    paths.pidfile(name).write_text(f"{p.pid} {st[3] if st else ''}\n")
    return p.pid


def uwsgi_argv(paths: Paths, name: str, port: int, module: str, extra: list[str] = ()) -> list[str]:
    return [str(paths.bin / "uwsgi"), "--http-socket", f"{HOST}:{port}",
            "--module", module, "-H", str(paths.venv),
            "--master", "--processes", "1", "--threads", "4", "--enable-threads",
            "--need-app", "--die-on-term", "--buffer-size", "65535",
            # these three let Glance accept (chunked) image uploads
            "--http-auto-chunked", "--http-raw-body", "--http-chunked-input",
            "--chunked-input-limit", "10485760",
            "--add-header", "Connection: close", "--thunder-lock",
            # nova-api's worker ignores the master's SIGINT: let uWSGI SIGKILL it after 2 s
            "--worker-reload-mercy", "2", "--reload-mercy", "2",
            "--procname-prefix-spaced", f"devcloud-{name}", *extra]


def stop(paths: Paths, names: list[str], sig_for=None, grace: float = 5.0) -> list[str]:
    """Stop our processes `names` (all at once); returns the names that were running.

    sig_for(name) gives the first signal (default SIGTERM; SIGKILL goes to the whole
    session at once). After `grace` seconds every process left in the session gets SIGKILL.
    """
    victims = {}
    for name in names:
        pid = running_pid(paths, name)
        if pid is None:
            paths.pidfile(name).unlink(missing_ok=True)
            continue
        start = _stat(pid)[3] if _stat(pid) else 0
        sig = sig_for(name) if sig_for else signal.SIGTERM
        for target in session_members(pid, start) if sig == signal.SIGKILL else [pid]:
            try:
                os.kill(target, sig)
            except ProcessLookupError:
                pass
        victims[name] = (pid, start)
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline and any(is_ours(p, paths, n) for n, (p, _) in victims.items()):
        time.sleep(0.1)
    leftovers = []
    for name, (pid, start) in victims.items():
        if is_ours(pid, paths, name):
            log(f"{name} (pid {pid}) ignored the signal: SIGKILL")
        for member in session_members(pid, start):
            try:
                os.kill(member, signal.SIGKILL)
                leftovers.append(member)
            except ProcessLookupError:
                pass
        _reap(pid)
        paths.pidfile(name).unlink(missing_ok=True)
    # wait until every process is gone, so that the ports are free again
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and any(
            _stat(m) for m in leftovers + [p for p, _ in victims.values()]):
        for p, _ in victims.values():
            _reap(p)
        time.sleep(0.05)
    return list(victims)


def adopt(paths: Paths, names: list[str]) -> list[str]:
    """Find live session leaders that carry our tag for one of `names` but have no valid PID
    file (e.g. run/ was wiped while they ran, or another process's `up` raced ours) and
    record them as ours again. Identified by the tag in their environment (intact in the
    uWSGI servers), never by process name. Returns the adopted names."""
    prefix = f"{TAG_VAR}={paths.base}:".encode()
    wanted = {n for n in names if running_pid(paths, n) is None}
    adopted = []
    for d in os.listdir("/proc") if wanted else []:
        if not d.isdigit():
            continue
        pid = int(d)
        st = _stat(pid)
        if not st or st[2] != pid:
            continue
        try:
            env = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
        except OSError:
            continue
        for var in env:
            if var.startswith(prefix) and var[len(prefix):].decode() in wanted:
                name = var[len(prefix):].decode()
                paths.run.mkdir(parents=True, exist_ok=True)
                paths.pidfile(name).write_text(f"{pid} {st[3]}\n")
                log(f"{name}: adopted running pid {pid} (its PID file was missing)")
                wanted.discard(name)
                adopted.append(name)
    return adopted


def port_open(port: int, host: str = HOST, timeout: float = 0.5) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def http_answers(url: str, timeout: float = 3.0) -> bool:
    """Any HTTP answer (401, 404, 300 included) counts."""
    try:
        with urllib.request.urlopen(url, timeout=timeout):
            return True
    except urllib.error.HTTPError:
        return True
    except (OSError, ValueError):
        return False


def wait_until(check, timeout: float, what: str, alive=None, logfile: Path | None = None,
               interval: float = 0.25) -> None:
    """Poll check() until true; fail early if alive() turns false."""
    deadline = time.monotonic() + timeout
    while True:
        if check():
            return
        if alive is not None and not alive():
            raise DevCloudError(f"{what}: process died{_tail(logfile)}")
        if time.monotonic() > deadline:
            raise DevCloudError(f"{what}: not ready after {timeout:.0f}s{_tail(logfile)}")
        time.sleep(interval)


def _tail(logfile: Path | None, lines: int = 15) -> str:
    if not logfile:
        return ""
    try:
        text = logfile.read_text(errors="replace").splitlines()[-lines:]
    except OSError:
        return ""
    return f"\n--- last lines of {logfile} ---\n" + "\n".join(text)


def pss_kb(leader: int) -> int:
    """Proportional set size of the session of `leader` (kB); 0 if unreadable."""
    total = 0
    st = _stat(leader)
    for pid in session_members(leader, st[3]) if st else []:
        try:
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total += int(line.split()[1])
                    break
        except OSError:
            pass
    return total


def run(argv: list[str], logfile: Path, env: dict | None = None, paths: Paths | None = None,
        check: bool = True, capture: bool = False) -> subprocess.CompletedProcess:
    """Run a short command, appending its output to logfile; raise with the tail on failure.
    With capture=True, stdout is returned (as text) and also appended to the log."""
    with open(logfile, "ab") as f:
        f.write(f"\n$ {' '.join(argv)}\n".encode())
        f.flush()
        p = subprocess.run(argv, stdout=subprocess.PIPE if capture else f,
                           stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                           env=child_env(paths, "tool", env) if paths else env,
                           cwd=str(paths.run) if paths else None)
        if capture:
            f.write(p.stdout)
            p.stdout = p.stdout.decode(errors="replace")
    if check and p.returncode != 0:
        raise DevCloudError(f"{argv[0]} exited {p.returncode}{_tail(logfile)}")
    return p
