"""Events as tenants and operators see them: a project's own events (an admin may ask for
every project's), newest first with a cursor, and a live tail."""
import datetime
import json
import time
from collections.abc import Iterator

from albatross.db.events import Event, decode_cursor, encode_cursor
from albatross.db.fulltext import QueryError, parse
from albatross.db.models import utcnow
from albatross.exceptions import BadRequest
from albatross.services.caller import Caller
from albatross.services.runtime import Runtime
from albatross.timestamps import iso

FILTERS = ("region", "service", "source", "event_type", "request_id")


def view(e: Event) -> dict:
    return {"id": e.id, "time": iso(e.time),
            "region": e.region, "service": e.service, "source": e.source,
            "event_type": e.event_type, "project_id": e.project_id, "user_id": e.user_id,
            "request_id": e.request_id, "resource_id": e.resource_id, "summary": e.summary,
            "payload": e.payload}


def _scope(caller: Caller, project_id: str | None, all_projects: bool) -> str | None:
    if all_projects:   # the route checked the rule for every project's events
        return project_id
    return caller.project_id


def _criteria(caller: Caller, query: dict) -> dict:
    out = {k: query.get(k) for k in FILTERS}
    out["project_id"] = _scope(caller, query.get("project_id"), query.get("all_projects"))
    for key in ("start", "end"):
        if query.get(key):
            out[key] = _time(query[key], key)
    if query.get("q"):
        try:
            parse(query["q"])
        except QueryError as exc:
            raise BadRequest(str(exc), field="q")
        out["q"] = query["q"]
    return out


def _time(text: str, field: str) -> datetime.datetime:
    try:
        when = datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise BadRequest(f"{field}: not an ISO 8601 time: {text!r}", field=field)
    if when.tzinfo is not None:
        when = when.astimezone(datetime.UTC).replace(tzinfo=None)
    return when


def search(rt: Runtime, caller: Caller, query: dict) -> dict:
    criteria = _criteria(caller, query)
    cursor = query.get("cursor")
    if cursor:
        try:
            decode_cursor(cursor)
        except ValueError as exc:
            raise BadRequest(str(exc), field="cursor")
    limit = query.get("limit", 100)
    found = rt.events.search(**criteria, cursor=cursor, limit=limit)
    return {"events": [view(e) for e in found],
            "next_cursor": encode_cursor(found[-1]) if len(found) == limit else None}


def tail(rt: Runtime, caller: Caller, query: dict, *, poll: float = 1.0,
         heartbeat: float = 15.0, max_seconds: float | None = None) -> Iterator[bytes]:
    """Server-sent events: every new matching event as `data: {...}`, a comment line as a
    heartbeat so proxies keep the connection open."""
    criteria = _criteria(caller, query)
    store = rt.events
    last = store.last_id()
    started = beat = time.monotonic()
    yield b": tailing events\n\n"
    while max_seconds is None or time.monotonic() - started < max_seconds:
        found = store.search(**criteria, after_id=last, limit=500)
        for e in found:
            last = e.id
            yield f"id: {e.id}\nevent: event\ndata: {json.dumps(view(e))}\n\n".encode()
        if not found:
            if time.monotonic() - beat > heartbeat:
                beat = time.monotonic()
                yield b": keep-alive\n\n"
            time.sleep(poll)


def purge(rt: Runtime) -> int:
    days = rt.conf.events.retention_days
    return rt.events.purge(utcnow() - datetime.timedelta(days=days))
