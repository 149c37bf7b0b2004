"""Long answers (live tails) are bounded, so no client degrades the service for others:
a total and a per-user cap on open streams, a maximum duration, and the token checked again
with Keystone at least every [api] stream_token_check_seconds (revoked or expired: the
stream ends). The server gives streams threads of their own on top of [api] threads
(docs/decisions/0003-bounded-streams.md), so with every slot taken the API still answers."""
import collections
import logging
import threading
import time

from albatross.exceptions import TooManyRequests, UpstreamUnavailable

LOG = logging.getLogger(__name__)


class StreamSlots:
    """Open streams: how many in all and per user. One per process (the server's)."""

    def __init__(self, total: int, per_user: int):
        self.total, self.per_user = total, per_user
        self._lock = threading.Lock()
        self._open: collections.Counter[str] = collections.Counter()

    def take(self, user_id: str) -> None:
        with self._lock:
            if self._open[user_id] >= self.per_user:
                raise TooManyRequests(f"you have {self.per_user} live streams open already; "
                                     "close one first")
            if sum(self._open.values()) >= self.total:
                raise UpstreamUnavailable(f"{self.total} live streams are open already; try "
                                          "again later")
            self._open[user_id] += 1

    def give_back(self, user_id: str) -> None:
        with self._lock:
            self._open[user_id] -= 1
            if self._open[user_id] <= 0:
                del self._open[user_id]


_slots: dict[tuple[int, int], StreamSlots] = {}
_slots_lock = threading.Lock()


def slots_for(conf) -> StreamSlots:
    key = (conf.api.max_streams, conf.api.max_streams_per_user)
    with _slots_lock:
        return _slots.setdefault(key, StreamSlots(*key))


class BoundedStream:
    """Wraps a stream's chunks: holds its slot until the server closes the answer, ends it
    after `max_seconds`, and asks `still_valid()` (the token) every `check_seconds`."""

    def __init__(self, chunks, slots: StreamSlots, user_id: str, *, max_seconds: float,
                 check_seconds: float, still_valid):
        self._chunks, self._slots, self._user = chunks, slots, user_id
        self._max, self._check, self._still_valid = max_seconds, check_seconds, still_valid
        self._released = False

    def __iter__(self):
        started = checked = time.monotonic()
        for chunk in self._chunks:
            yield chunk
            now = time.monotonic()
            if now - started >= self._max:
                yield b": stream time is up; reconnect to go on\n\n"
                return
            if now - checked >= self._check:
                checked = now
                if not self._valid():
                    yield b"event: end\ndata: {\"reason\": \"token no longer valid\"}\n\n"
                    return

    def _valid(self) -> bool:
        try:
            return bool(self._still_valid())
        except Exception as exc:  # Keystone unreachable: end rather than stream unchecked
            LOG.warning("stream token check failed: %s", type(exc).__name__)
            return False

    def close(self):
        if not self._released:
            self._released = True
            self._slots.give_back(self._user)
            close = getattr(self._chunks, "close", None)
            if close is not None:
                close()


def bounded(rt, caller, make_chunks) -> BoundedStream:
    """make_chunks() as a bounded stream of `caller` (429/503 at once when the caps are
    reached, before anything is opened)."""
    conf = rt.conf.api
    slots = slots_for(rt.conf)
    slots.take(caller.user_id)
    try:
        chunks = make_chunks()
    except BaseException:
        slots.give_back(caller.user_id)
        raise
    token = caller.token
    return BoundedStream(chunks, slots, caller.user_id,
                         max_seconds=conf.stream_seconds,
                         check_seconds=conf.stream_token_check_seconds,
                         still_valid=lambda: token and rt.registry.token_valid(token))
