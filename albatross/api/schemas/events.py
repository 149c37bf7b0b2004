from albatross.api.schemas.common import NULLABLE_STR, REGION

QUERY = {
    "region": REGION,
    "service": {"type": "string", "maxLength": 64},
    "source": {"enum": ["notification", "audit"]},
    "event_type": {"type": "string", "maxLength": 255},
    "request_id": {"type": "string", "maxLength": 64},
    "project_id": {"type": "string", "maxLength": 64,
                   "description": "Admin with all_projects: only this project."},
    "all_projects": {"type": "boolean", "default": False},
    "start": {"type": "string", "maxLength": 40, "description": "ISO 8601, included"},
    "end": {"type": "string", "maxLength": 40, "description": "ISO 8601, excluded"},
    "q": {"type": "string", "minLength": 1, "maxLength": 256,
          "description": "Full text: words (all must match), \"a phrase\", prefix*"},
    "limit": {"type": "integer", "minimum": 1, "maximum": 1000, "default": 100},
    "cursor": {"type": "string", "maxLength": 200,
               "description": "next_cursor of the previous page"},
}
STREAM_QUERY = {k: v for k, v in QUERY.items() if k not in ("limit", "cursor")}

EVENT = {"type": "object", "required": ["id", "time", "region", "event_type"],
         "properties": {"id": {"type": "integer"}, "time": {"type": "string"},
                        "region": {"type": "string"}, "service": {"type": "string"},
                        "source": {"enum": ["notification", "audit"]},
                        "event_type": {"type": "string"}, "project_id": NULLABLE_STR,
                        "user_id": NULLABLE_STR, "request_id": NULLABLE_STR,
                        "resource_id": NULLABLE_STR, "summary": {"type": "string"},
                        "payload": {"type": "object"}}}
EVENT_PAGE = {"type": "object", "required": ["events"],
              "properties": {"events": {"type": "array", "items": EVENT},
                             "next_cursor": NULLABLE_STR}}
