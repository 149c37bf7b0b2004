from albatross.api.schemas.common import NULLABLE_STR, TIMESTAMP
from albatross.services.controllers import ITEM_KINDS as KINDS

QUERY = {
    "kind": {"enum": KINDS, "description": "Only this controller's items (`resync`: when the "
                                           "resync last asked each controller)."},
    "key": {"type": "string", "minLength": 1, "maxLength": 255,
            "description": "Only the item of this object (a project, policy or rollout id)."},
    "active": {"type": "boolean", "default": False,
               "description": "Only queued and running items (not the idle ones)."},
    "limit": {"type": "integer", "minimum": 1, "maximum": 1000, "default": 100},
}
ITEM = {
    "type": "object",
    "required": ["kind", "key", "status", "due_at", "attempts", "asked_again", "last_error",
                 "started_at", "finished_at"],
    "properties": {
        "kind": {"enum": KINDS}, "key": {"type": "string"},
        "status": {"enum": ["queued", "running", "idle"]},
        "due_at": {**TIMESTAMP, "description": "When a queued item runs next."},
        "attempts": {"type": "integer", "description": "Failed runs in a row (the backoff)."},
        "asked_again": {"type": "boolean",
                        "description": "Asked for while running: runs again right after."},
        "last_error": NULLABLE_STR,
        "started_at": {**TIMESTAMP, "description": "When the last (or current) run started."},
        "finished_at": {**TIMESTAMP, "description": "When the last run ended."},
        "keys": {"type": "integer",
                 "description": "A resync row: how many keys the controller named due."}},
}
ITEM_LIST = {"type": "object", "required": ["items", "queued_or_running"],
             "properties": {"items": {"type": "array", "items": ITEM},
                            "queued_or_running": {"type": "integer"}}}
