"""Shapes shared by several resources."""
NAME = {"type": "string", "minLength": 1, "maxLength": 255}
# Nova's own rule for keypair names: refusing others here gives a 400 naming the field
KEYPAIR_NAME = {"type": "string", "minLength": 1, "maxLength": 255,
                "pattern": "^[A-Za-z0-9 _.@-]+$"}
UUID = {"type": "string", "pattern": "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-"
                                     "[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"}
# a page of a list: at most `limit` items after the one whose id is `marker`
PAGE_QUERY = {"limit": {"type": "integer", "minimum": 1, "maximum": 1000, "default": 100},
              "marker": UUID}
REGION = {"type": "string", "minLength": 1, "maxLength": 128}
NULLABLE_STR = {"type": ["string", "null"]}
TIMESTAMP = {"type": ["string", "null"], "format": "date-time"}

ERROR = {
    "type": "object", "required": ["error"],
    "properties": {"error": {
        "type": "object", "required": ["status", "title", "message"],
        "properties": {"status": {"type": "integer"}, "title": {"type": "string"},
                       "message": {"type": "string"}, "field": {"type": "string"},
                       "request_id": {"type": "string"}}}},
}

TASK_STATES = ["QUEUED", "RUNNING", "SUCCESS", "FAILED", "SKIPPED"]

TASK = {
    "type": "object",
    "required": ["id", "resource_type", "resource", "source_region", "target_region",
                 "status", "attempts"],
    "properties": {
        "id": {"type": "string"}, "resource_type": {"type": "string"},
        "resource": {"type": "string"}, "source_region": {"type": "string"},
        "target_region": {"type": "string"}, "force": {"type": "boolean"},
        "status": {"enum": TASK_STATES}, "error": NULLABLE_STR,
        "attempts": {"type": "integer"}, "result": {"type": "object"},
        "created_at": TIMESTAMP, "started_at": TIMESTAMP, "finished_at": TIMESTAMP,
        "duration_ms": {"type": ["integer", "null"]},
    },
}

JOB = {
    "type": "object",
    "required": ["id", "kind", "status", "project_id", "task_counts", "created_at"],
    "properties": {
        "id": {"type": "string"}, "kind": {"type": "string"},
        "status": {"enum": ["QUEUED", "RUNNING", "SUCCESS", "FAILED"]},
        "project_id": {"type": "string"}, "user_id": {"type": "string"},
        "origin": {"type": "string"}, "params": {"type": "object"},
        "request_id": NULLABLE_STR,
        "task_counts": {"type": "object",
                        "properties": {s: {"type": "integer"} for s in TASK_STATES}},
        "created_at": TIMESTAMP, "updated_at": TIMESTAMP, "finished_at": TIMESTAMP,
        "tasks": {"type": "array", "items": TASK},
        "tasks_next": {"type": "string", "description": "More tasks follow: ask again "
                                                        "with this as tasks_marker."},
    },
}

JOB_ENVELOPE = {"type": "object", "required": ["job"], "properties": {"job": JOB}}
