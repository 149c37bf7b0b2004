"""Shipped service logs: ingestion of a batch, search with an opaque cursor, a live tail, and
the retention purge."""
import base64
import binascii
import datetime
import json
import logging
import threading
import time

from albatross.db import fulltext
from albatross.db.logs import LEVELS, LogFilter, LogStore
from albatross.db.models import utcnow
from albatross.exceptions import BadRequest, TooManyRequests, UpstreamUnavailable
from albatross.logs import batch, oslo, shippers

LOG = logging.getLogger(__name__)
TAIL_POLL = 1.0
TAIL_SLACK = datetime.timedelta(seconds=5)  # a batch received earlier may commit this late
TAIL_HEARTBEAT = 15.0
_stream_slots: dict[int, threading.BoundedSemaphore] = {}
_slots_lock = threading.Lock()


def _store(rt) -> LogStore:
    return LogStore(rt.conf.database.connection)


class LineBudget:
    """Lines per shipper per minute (a token bucket refilled continuously), per process."""

    def __init__(self):
        self._lock = threading.Lock()
        self._left: dict[tuple, tuple[float, float]] = {}  # key -> (lines left, at)

    def spend(self, key: tuple, who: str, lines: int, per_minute: int) -> None:
        now = time.monotonic()
        with self._lock:
            left, at = self._left.get(key, (float(per_minute), now))
            left = min(float(per_minute), left + (now - at) * per_minute / 60.0)
            if lines > left:
                self._left[key] = (left, now)
                raise TooManyRequests(f"{who} may send {per_minute} lines a minute; "
                                      f"{int(left)} may be sent now", field="(body)")
            self._left[key] = (left - lines, now)


BUDGET = LineBudget()


def ingest(rt, body: bytes, shipper: shippers.Shipper) -> tuple[int, dict]:
    """Store the valid lines of a batch; a 400 names the others, and says what was stored."""
    try:
        parsed = batch.parse(body, rt.conf.logs.max_batch_lines, utcnow(), shipper)
    except batch.BatchError as exc:
        raise BadRequest(str(exc), field="(body)")
    BUDGET.spend((rt.conf.database.connection, shipper.name), shipper.name,
                 len(parsed.rows) + len(parsed.rejected), rt.conf.logs.max_lines_per_minute)
    stored, duplicates = _store(rt).insert(parsed.rows) if parsed.rows else (0, 0)
    result = {"stored": stored, "duplicates": duplicates,
              "rejected": [{"line": n, "error": why} for n, why in parsed.rejected]}
    if not parsed.rejected:
        return 200, result
    shown = "; ".join(f"line {n}: {why}" for n, why in parsed.rejected[:10])
    more = f" (and {len(parsed.rejected) - 10} more)" if len(parsed.rejected) > 10 else ""
    message = (f"{len(parsed.rejected)} line(s) rejected, {stored} stored"
               f"{f', {duplicates} already stored' if duplicates else ''}: {shown}{more}")
    field = "line " + ", ".join(str(n) for n, _ in parsed.rejected[:10])
    return 400, {"error": {"status": 400, "title": "Bad Request", "message": message,
                           "field": field}, **result}


def parse_time(name: str, value: str | None) -> datetime.datetime | None:
    """ISO 8601; a time without a zone is UTC."""
    if value is None:
        return None
    try:
        t = datetime.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise BadRequest(f"{name}: {value[:40]!r} is not an ISO 8601 time", field=name)
    return t.astimezone(datetime.UTC).replace(tzinfo=None) if t.tzinfo else t


def filters(query: dict) -> LogFilter:
    """The search filters of a query string, each checked (a 400 names the bad one)."""
    request_id = query.get("request_id")
    if request_id is not None and not oslo.REQUEST_ID.fullmatch(request_id):
        raise BadRequest("request_id: must be req-<uuid>", field="request_id")
    q = query.get("q")
    if q is not None:
        try:
            fulltext.parse(q)
        except fulltext.QueryError as exc:
            raise BadRequest(f"q: {exc}", field="q")
    levels = None
    if query.get("level"):
        levels = LEVELS[LEVELS.index(query["level"]):]  # this level and the ones above
    f = LogFilter(region=query.get("region"), service=query.get("service"),
                  host=query.get("host"), levels=levels,
                  start=parse_time("start", query.get("start")),
                  end=parse_time("end", query.get("end")),
                  request_id=request_id.lower() if request_id else None, q=q)
    if f.start and f.end and f.start >= f.end:
        raise BadRequest("start: must be before end", field="start")
    return f


def _encode(row: dict) -> str:
    raw = json.dumps([row["time"], row["id"]]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode(cursor: str) -> tuple[datetime.datetime, int]:
    try:
        t, line_id = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        return datetime.datetime.fromisoformat(t.rstrip("Z")), int(line_id)
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
        raise BadRequest("cursor: not a cursor this API returned", field="cursor")


def search(rt, query: dict) -> dict:
    after = _decode(query["cursor"]) if query.get("cursor") else None
    limit = query["limit"]
    rows = _store(rt).search(filters(query), limit, after)
    return {"logs": rows, "next": _encode(rows[-1]) if len(rows) == limit else None}


def purge_expired(rt) -> int:
    before = utcnow() - datetime.timedelta(days=rt.conf.logs.retention_days)
    removed = _store(rt).purge(before)
    if removed:
        LOG.info("purged %d log lines older than %s", removed, before.isoformat())
    return removed


def open_tail(rt, f: LogFilter, last_event_id: str | None):
    """A live tail as server-sent events, or a 503 when every tail slot is taken (each holds
    an HTTP thread)."""
    limit = rt.conf.logs.max_streams
    with _slots_lock:
        slots = _stream_slots.setdefault(limit, threading.BoundedSemaphore(limit))
    if limit == 0 or not slots.acquire(blocking=False):
        raise UpstreamUnavailable(f"{limit} live tails are open already; try again later")
    try:
        start_id = int(last_event_id) if last_event_id else None
    except ValueError:
        start_id = None
    return _Released(Tail(_store(rt), f, start_id, rt.conf.logs.stream_seconds), slots)


class _Released:
    """The stream's slot goes back when the server closes the response, even unstarted."""

    def __init__(self, tail, slots):
        self.tail, self.slots, self._released = tail, slots, False

    def __iter__(self):
        return iter(self.tail)

    def close(self):
        if not self._released:
            self._released = True
            self.slots.release()


class Tail:
    """Lines as they are received, oldest first. Reads by (received_at, id) with a few
    seconds of overlap, remembering what it sent, so a batch that commits after a later one
    is still sent, and once; after `seconds` it ends (the client resumes by Last-Event-ID)."""

    def __init__(self, store: LogStore, f: LogFilter, last_id: int | None, seconds: float):
        self.store, self.filter, self.seconds = store, f, seconds
        since = store.received_at(last_id) if last_id else None
        self.after = ((since or utcnow()) - TAIL_SLACK, 0)
        self.sent: dict[int, datetime.datetime] = {}
        self.floor = last_id  # a resumed tail does not repeat what it sent before

    def __iter__(self):
        deadline = time.monotonic() + self.seconds
        quiet = time.monotonic()
        yield b"retry: 2000\n: tail started\n\n"
        while time.monotonic() < deadline:
            polled = utcnow()
            rows = self.store.received_since(self.filter, self.after, limit=500)
            for row in rows:
                received = row.pop("received_at")
                if row["id"] in self.sent or (self.floor and row["id"] <= self.floor):
                    continue
                self.sent[row["id"]] = received
                quiet = time.monotonic()
                yield f"id: {row['id']}\nevent: log\ndata: {json.dumps(row)}\n\n".encode()
            if len(rows) == 500:  # behind: read on from the last row, at once
                self.after = (received, rows[-1]["id"])
                continue
            self.after = (polled - TAIL_SLACK, 0)
            self.sent = {i: t for i, t in self.sent.items() if t >= self.after[0]}
            if time.monotonic() - quiet > TAIL_HEARTBEAT:
                quiet = time.monotonic()
                yield b": keepalive\n\n"
            time.sleep(TAIL_POLL)
