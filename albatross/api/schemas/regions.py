from albatross.api.schemas.common import NULLABLE_STR

SERVICE = {
    "type": "object", "required": ["type", "url"],
    "properties": {"type": {"type": "string"}, "url": {"type": "string"},
                   "status": {"enum": ["up", "down"]},
                   "http_status": {"type": "integer"}, "latency_ms": {"type": "number"},
                   "error": {"type": "string"}},
}
REGION_LIST = {
    "type": "object", "required": ["regions"],
    "properties": {"regions": {"type": "array", "items": {
        "type": "object", "required": ["name", "services"],
        "properties": {"name": {"type": "string"}, "cloud": NULLABLE_STR,
                       "region_name": NULLABLE_STR, "identity_url": {"type": "string"},
                       "status": {"enum": ["up", "degraded", "down"]},
                       "services": {"type": "array", "items": SERVICE}}}}},
}
