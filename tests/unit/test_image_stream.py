"""FanOut (images/stream.py) with fake sources and fake uploads: the guarantees image sync
relies on. Every live target gets exactly the source's bytes; one failing target does not
stop the others; a broken or mismatching stream makes every upload fail before its final
chunk, so Glance never finishes a bad copy; memory stays bounded however long the image."""
import contextvars
import hashlib
import threading
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from albatross.images.stream import FanOut, StreamAborted

chunk_lists = st.lists(st.binary(min_size=1, max_size=64), min_size=1, max_size=40)
target_names = st.lists(st.sampled_from("abcdefgh"), min_size=1, max_size=5, unique=True)


class SourceBroke(Exception):
    pass


def hashes(data: bytes) -> dict:
    return {"hash_algo": "sha512", "expected_hash": hashlib.sha512(data).hexdigest(),
            "expected_md5": hashlib.md5(data).hexdigest(), "expected_size": len(data)}


class Recorder:
    """A fake upload: keeps what each target received, can fail after N chunks, and can be
    slow; `completed` lists the targets whose body iterator ended normally (what Glance
    needs to mark an image ACTIVE)."""

    def __init__(self, fail_after: dict | None = None, delay: float = 0.0):
        self.fail_after = fail_after or {}
        self.delay = delay
        self.received: dict[str, list[bytes]] = {}
        self.completed: list[str] = []
        self.lock = threading.Lock()

    def __call__(self, target, body):
        got = self.received.setdefault(target, [])
        for chunk in body:
            if len(got) == self.fail_after.get(target, -1):
                raise ConnectionError(f"{target} went away")
            got.append(chunk)
            if self.delay:
                time.sleep(self.delay)
        if len(got) == self.fail_after.get(target, -1):
            raise ConnectionError(f"{target} went away at the end")
        with self.lock:
            self.completed.append(target)
        return f"uploaded {target}"


@settings(max_examples=60, deadline=None)
@given(chunk_lists, target_names, st.integers(1, 4), st.data())
def test_live_targets_get_exactly_the_source_whatever_the_others_do(chunks, targets, depth,
                                                                    data):
    failing = data.draw(st.dictionaries(st.sampled_from(targets),
                                        st.integers(0, len(chunks)),
                                        max_size=len(targets) - 1))
    source = b"".join(chunks)
    upload = Recorder(failing)
    fan = FanOut(iter(chunks), targets, depth=depth, **hashes(source))
    results = fan.run(upload)
    assert fan.error is None and set(results) == set(targets)
    for t in targets:
        if t in failing:
            assert isinstance(results[t], ConnectionError)
            assert b"".join(upload.received[t]) == source[:len(b"".join(upload.received[t]))]
        else:
            assert results[t] == f"uploaded {t}"
            assert b"".join(upload.received[t]) == source
            assert fan.sent[t] == len(source)
    assert sorted(upload.completed) == sorted(set(targets) - set(failing))


def test_every_target_failing_stops_reading_the_source():
    """Nobody left to send to: the pump must not download the rest of a big image."""
    pulled = []

    def source():
        for i in range(10_000):
            pulled.append(i)
            yield b"x" * 16

    fan = FanOut(source(), ["a", "b"], hash_algo=None, expected_hash=None, depth=2)
    results = fan.run(Recorder({"a": 1, "b": 3}))
    assert all(isinstance(r, ConnectionError) for r in results.values())
    assert len(pulled) < 50


def assert_nothing_completed(targets, results, upload, chunks_read):
    """Every upload raised StreamAborted, and none got the last chunk it was offered."""
    assert upload.completed == []
    for t in targets:
        assert isinstance(results[t], StreamAborted), results[t]
        assert len(upload.received.get(t, [])) <= max(chunks_read - 1, 0)


@settings(max_examples=60, deadline=None)
@given(chunk_lists, target_names, st.integers(1, 4),
       st.sampled_from(["hash", "md5", "size_short", "size_long"]))
def test_a_mismatching_stream_completes_no_upload(chunks, targets, depth, broken):
    source = b"".join(chunks)
    expect = hashes(source)
    if broken == "hash":
        expect["expected_hash"] = hashlib.sha512(source + b"!").hexdigest()
    elif broken == "md5":
        expect["expected_md5"] = hashlib.md5(source + b"!").hexdigest()
    else:
        expect["expected_size"] = len(source) + (-1 if broken == "size_short" else 1)
    upload = Recorder()
    fan = FanOut(iter(chunks), targets, depth=depth, **expect)
    results = fan.run(upload)
    assert fan.error
    assert_nothing_completed(targets, results, upload, len(chunks))
    assert all(str(results[t]) == fan.error for t in targets)
    if broken == "hash":
        assert "does not match" in fan.error


@settings(max_examples=60, deadline=None)
@given(chunk_lists, target_names, st.integers(1, 4), st.data())
def test_a_source_breaking_mid_stream_completes_no_upload(chunks, targets, depth, data):
    good = data.draw(st.integers(0, len(chunks)))

    def source():
        yield from chunks[:good]
        raise SourceBroke("connection reset by the source Glance")

    upload = Recorder()
    fan = FanOut(source(), targets, depth=depth, hash_algo=None, expected_hash=None)
    results = fan.run(upload)
    read = sum(len(c) for c in chunks[:good])
    assert fan.error == f"source stream broke after {read} bytes: SourceBroke"
    assert_nothing_completed(targets, results, upload, good)


class Gauge:
    """The source side of the memory bound: each time the pump asks for chunk k, how far
    each live target is behind (chunks read minus chunks its upload has received)."""

    def __init__(self, n_chunks: int, size: int = 8):
        self.n_chunks, self.size = n_chunks, size
        self.fan: FanOut | None = None
        self.upload: Recorder | None = None
        self.max_lag = 0
        self.max_queued = 0

    def source(self):
        for k in range(self.n_chunks):
            for t, q in self.fan.queues.items():
                if t in self.fan.dead:
                    continue
                self.max_queued = max(self.max_queued, q.qsize())
                got = len(self.upload.received.get(t, ()))
                self.max_lag = max(self.max_lag, k - got)
            yield k.to_bytes(self.size, "big")


def measure(n_chunks: int, targets: list[str], depth: int, delay: float,
            failing: dict | None = None) -> Gauge:
    gauge = Gauge(n_chunks)
    gauge.upload = Recorder(failing, delay)
    gauge.fan = FanOut(gauge.source(), targets, hash_algo=None, expected_hash=None,
                       depth=depth)
    results = gauge.fan.run(gauge.upload)
    for t in targets:
        if t not in (failing or {}):
            assert len(gauge.upload.received[t]) == n_chunks, results[t]
    return gauge


@settings(max_examples=25, deadline=None)
@given(st.integers(1, 300), target_names, st.integers(1, 5), st.data())
def test_buffered_chunks_never_exceed_depth_per_target_plus_the_held_one(n, targets, depth,
                                                                        data):
    """A queue holds at most `depth` chunks; a target lags the source by at most depth + 1
    (queue + the held-back chunk) + 1 (the chunk being handed to its upload right now)."""
    failing = data.draw(st.dictionaries(st.sampled_from(targets), st.integers(0, n),
                                        max_size=len(targets) - 1))
    gauge = measure(n, targets, depth, delay=0.0002, failing=failing)
    assert gauge.max_queued <= depth
    assert gauge.max_lag <= depth + 2


@pytest.mark.parametrize("n_chunks", [10, 3000])
def test_memory_bound_does_not_grow_with_the_image(n_chunks):
    """Slow consumers and a fast source: the pump waits instead of buffering the image."""
    gauge = measure(n_chunks, ["a", "b", "c"], depth=3, delay=0.0001)
    assert gauge.max_queued <= 3
    assert gauge.max_lag <= 3 + 2
    if n_chunks > 100:
        assert gauge.max_queued == 3  # the bound was actually reached: the test means it


def test_progress_reports_bytes_sent_per_target():
    seen: dict[str, list[int]] = {}
    lock = threading.Lock()

    def on_progress(target, done):
        with lock:
            seen.setdefault(target, []).append(done)

    chunks = [b"a" * 10, b"b" * 5, b"c" * 7]
    fan = FanOut(iter(chunks), ["x", "y"], hash_algo="sha256",
                 expected_hash=hashlib.sha256(b"".join(chunks)).hexdigest(),
                 on_progress=on_progress)
    fan.run(Recorder())
    assert seen == {"x": [10, 15, 22], "y": [10, 15, 22]}
    assert fan.digest == hashlib.sha256(b"".join(chunks)).hexdigest()


def test_the_task_error_says_why_the_stream_was_refused():
    """FanOut's reason reaches the task's error column; a mismatch is final, a source that
    broke is worth another attempt."""
    from albatross.reconcilers.errors import classify
    from albatross.reconcilers.images import CopyFailed

    chunks = [b"abc", b"def"]
    fan = FanOut(iter(chunks), ["x"], hash_algo="sha512", expected_hash="0" * 128)
    fan.run(Recorder())
    failure = classify(CopyFailed(f"RegionTwo: copy aborted and removed: {fan.error}",
                                  fan.source_broke), "RegionTwo")
    assert not failure.transient and not failure.unexpected
    assert "does not match the image's os_hash_value" in failure.message

    def broken():
        yield b"abc"
        raise SourceBroke()

    fan = FanOut(broken(), ["x"], hash_algo=None, expected_hash=None)
    fan.run(Recorder())
    assert fan.source_broke
    assert classify(CopyFailed(fan.error, fan.source_broke), "RegionTwo").transient


def test_a_target_that_stops_reading_is_dropped_and_the_others_finish():
    chunks = [bytes([i]) * 1000 for i in range(40)]
    blob = b"".join(chunks)
    release = threading.Event()

    def upload(target, data):
        if target == "stuck":
            next(data)
            release.wait(30)  # reads one chunk, then hangs in its connection
            return "late"
        return b"".join(data)

    fan = FanOut(iter(chunks), ["ok", "stuck"], hash_algo="sha512",
                 expected_hash=hashlib.sha512(blob).hexdigest(), depth=2, stall_timeout=0.5)
    started = time.monotonic()
    results = fan.run(upload)
    release.set()
    assert time.monotonic() - started < 10
    assert results["ok"] == blob
    assert isinstance(results["stuck"], TimeoutError) and "stalled" in str(results["stuck"])


def test_every_upload_runs_in_the_callers_context():
    """Uploads see the caller's context (its request id): a region's calls then use its own
    connection instead of a copy per upload, which raced openstacksdk's config writes."""
    scope = contextvars.ContextVar("scope", default=None)
    seen = {}

    def upload(target, body):
        seen[target] = scope.get()
        return b"".join(body)

    scope.set("job-1")
    data = b"x" * 100
    out = FanOut([data], ["a", "b", "c"], hash_algo=None, expected_hash=None).run(upload)
    assert out == {"a": data, "b": data, "c": data}
    assert seen == {"a": "job-1", "b": "job-1", "c": "job-1"}
