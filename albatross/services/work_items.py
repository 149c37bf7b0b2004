"""The controllers' work queue as operators see it: what is queued, running, backing off or
idle, per kind and key, and when each key was last looked at (docs/decisions/0004)."""
import datetime

from albatross.db.models import utcnow
from albatross.db.work_queue import RESYNC
from albatross.services.runtime import Runtime
from albatross.timestamps import iso

# an idle item (its last run asked for nothing more) is kept this long, then purged: long
# enough to see what every controller did lately, short enough to stay a small table
IDLE_KEPT = datetime.timedelta(days=1)


def _view(item) -> dict:
    return {"kind": item.resource_type, "key": item.resource, "status": item.status.lower(),
            "due_at": iso(item.not_before) if item.status == "QUEUED" else None,
            "attempts": item.attempts, "asked_again": bool(item.dirty),
            "last_error": item.error, "started_at": iso(item.started_at),
            "finished_at": iso(item.finished_at),
            **({"keys": (item.result or {}).get("keys")} if item.resource_type == RESYNC else {})}


def list_items(rt: Runtime, query: dict) -> dict:
    """Items soonest due first (the route's schema names the kinds)."""
    items = rt.work_queue.items(query.get("kind"), query.get("key"), limit=query["limit"],
                                active=query["active"])
    return {"items": [_view(i) for i in items], "queued_or_running": rt.work_queue.count()}


def purge_idle(rt: Runtime) -> int:
    return rt.work_queue.purge_idle(utcnow() - IDLE_KEPT)
