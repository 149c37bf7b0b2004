"""One download, N concurrent uploads, bounded memory.

A pump thread reads the source once, hashes it (the source's os_hash_algo, and md5 for the
legacy checksum) and puts each chunk into one small queue per target; each target's upload
reads its own queue. Memory is chunk_size x depth per target, whatever the image size; the
slowest live target sets the pace. The last chunk is held back until the whole stream has been
hashed: when the hash is wrong every upload is aborted before its final byte, so Glance never
marks a corrupted copy ACTIVE. A target whose upload fails is dropped; the others go on."""
import contextvars
import hashlib
import queue
import threading
import time
from collections.abc import Callable, Iterable, Iterator

_EOF = object()


class StreamAborted(Exception):
    """The source stream broke or did not match its hash: the upload must not complete."""


class FanOut:
    def __init__(self, source: Iterable[bytes], targets: list[str], *, hash_algo: str | None,
                 expected_hash: str | None, expected_md5: str | None = None,
                 expected_size: int | None = None, depth: int = 4,
                 on_progress: Callable[[str, int], None] | None = None,
                 stall_timeout: float = 300.0):
        self.source = source
        self.hash_algo = hash_algo if hash_algo in hashlib.algorithms_available else None
        self.expected_hash, self.expected_md5 = expected_hash, expected_md5
        self.expected_size = expected_size
        self.queues = {t: queue.Queue(maxsize=depth) for t in targets}
        self.dead: set[str] = set()
        self.stall_timeout = stall_timeout  # a target that reads nothing for this long is dropped
        self.sent = {t: 0 for t in targets}
        self.on_progress = on_progress
        self.read = 0
        self.error: str | None = None
        self.source_broke = False  # the read failed (worth a retry), not a mismatch
        self.digest: str | None = None
        self._lock = threading.Lock()

    # ---- the pump -------------------------------------------------------------------------
    def _put(self, target: str, item) -> None:
        q = self.queues[target]
        waited_since = time.monotonic()
        while target not in self.dead:
            try:
                q.put(item, timeout=0.5)
                return
            except queue.Full:
                if time.monotonic() - waited_since > self.stall_timeout:
                    self.dead.add(target)  # it stopped reading: the others go on without it
                    return

    def _broadcast(self, item) -> None:
        for target in list(self.queues):
            self._put(target, item)

    def _verify(self, hasher, md5) -> str | None:
        if self.expected_size is not None and self.read != self.expected_size:
            return f"source stream has {self.read} bytes, the image says {self.expected_size}"
        if hasher is not None and self.expected_hash:
            self.digest = hasher.hexdigest()
            if self.digest != self.expected_hash:
                return (f"source stream {self.hash_algo} {self.digest[:16]}... does not match "
                        f"the image's os_hash_value {self.expected_hash[:16]}...")
        if self.expected_md5 and md5.hexdigest() != self.expected_md5:
            return "source stream md5 does not match the image's checksum"
        return None

    def pump(self) -> None:
        hasher = hashlib.new(self.hash_algo) if self.hash_algo else None
        md5 = hashlib.md5(usedforsecurity=False)
        held = None
        try:
            for chunk in self.source:
                if not chunk:
                    continue
                self.read += len(chunk)
                if hasher is not None:
                    hasher.update(chunk)
                md5.update(chunk)
                if held is not None:
                    self._broadcast(held)
                held = chunk
                if len(self.dead) == len(self.queues):
                    return  # every upload failed: stop reading
            self.error = self._verify(hasher, md5)
        except Exception as exc:  # the source broke mid-stream
            self.source_broke = True
            self.error = f"source stream broke after {self.read} bytes: {type(exc).__name__}"
        if self.error is None:
            if held is not None:
                self._broadcast(held)
            self._broadcast(_EOF)
        else:
            self._broadcast(StreamAborted(self.error))

    # ---- the consumers --------------------------------------------------------------------
    def chunks(self, target: str) -> Iterator[bytes]:
        """The upload body for one target; raises StreamAborted to abort the upload."""
        q = self.queues[target]
        while True:
            item = q.get()
            if item is _EOF:
                return
            if isinstance(item, StreamAborted):
                raise item
            with self._lock:
                self.sent[target] += len(item)
            if self.on_progress:
                self.on_progress(target, self.sent[target])
            yield item

    def run(self, upload: Callable[[str, Iterator[bytes]], object]) -> dict[str, object]:
        """Pump and upload to every target at once; returns target -> upload's result or the
        exception that stopped it."""
        results: dict[str, object] = {}

        def worker(target):
            try:
                results[target] = upload(target, self.chunks(target))
            except Exception as exc:
                results[target] = exc
            finally:
                self.dead.add(target)
                q = self.queues[target]
                while not q.empty():  # free the pump if it waits on this queue
                    q.get_nowait()

        # each upload in the caller's context (a copy each): its calls carry the job's
        # request id and use the region's own connection, not a copy of it per upload
        threads = [threading.Thread(target=contextvars.copy_context().run, args=(worker, t),
                                    name=f"upload-{t}", daemon=True)
                   for t in self.queues]
        for t in threads:
            t.start()
        self.pump()
        for target, t in zip(self.queues, threads):
            t.join(self.stall_timeout)
            if t.is_alive():  # stuck in its connection: give up on it, never on the others
                results[target] = TimeoutError(f"the upload to {target} stalled for "
                                               f"{self.stall_timeout:.0f}s")
        return dict(results)  # a stuck upload that ends later changes nothing
