from albatross.api.schemas.common import NULLABLE_STR, REGION
from albatross.db.logs import LEVELS

TIME = {"type": "string", "minLength": 1, "maxLength": 64,
        "description": "ISO 8601 (UTC when it has no zone)"}
STREAM_QUERY = {
    "region": REGION, "service": {"type": "string", "minLength": 1, "maxLength": 64},
    "host": {"type": "string", "minLength": 1, "maxLength": 255},
    "level": {"enum": list(LEVELS), "description": "this level and the ones above it"},
    "request_id": {"type": "string", "minLength": 1, "maxLength": 64,
                   "description": "req-<uuid>: every line that names it, in any region"},
    "q": {"type": "string", "minLength": 1, "maxLength": 256,
          "description": 'full text: words (all must match), "a phrase", prefix*'},
}
QUERY = {**STREAM_QUERY, "start": TIME, "end": TIME,
         "cursor": {"type": "string", "minLength": 1, "maxLength": 512,
                    "description": "`next` of the previous page"},
         "limit": {"type": "integer", "minimum": 1, "maximum": 1000, "default": 100}}

LINE = {"type": "object",
        "required": ["id", "time", "region", "service", "host", "level", "message",
                     "request_ids"],
        "properties": {"id": {"type": "integer"}, "time": {"type": "string"},
                       "region": {"type": "string"}, "service": {"type": "string"},
                       "host": {"type": "string"}, "level": {"enum": list(LEVELS)},
                       "logger": NULLABLE_STR, "pid": {"type": ["integer", "null"]},
                       "message": {"type": "string"},
                       "request_ids": {"type": "array", "items": {"type": "string"}},
                       "raw": {"type": "string"}, "extra": {"type": "object"}}}
PAGE = {"type": "object", "required": ["logs", "next"],
        "properties": {"logs": {"type": "array", "items": LINE}, "next": NULLABLE_STR}}
INGESTED = {"type": "object", "required": ["stored", "duplicates", "rejected"],
            "properties": {"stored": {"type": "integer"}, "duplicates": {"type": "integer"},
                           "rejected": {"type": "array", "items": {
                               "type": "object", "properties": {
                                   "line": {"type": "integer"},
                                   "error": {"type": "string"}}}}}}
