"""Quota requests and the global view."""
from albatross.api.schemas.common import NULLABLE_STR
from albatross.quota.resources import RESOURCES

LIMIT = {"type": "integer", "minimum": -1, "description": "-1 means unlimited"}
LIMITS = {"type": "object", "properties": {r: LIMIT for r in RESOURCES},
          "additionalProperties": False}
SOFT = {"type": "object", "additionalProperties": False, "minProperties": 1,
        "properties": {"absolute": {"type": "integer", "minimum": 0},
                       "percent": {"type": "number", "minimum": 0, "maximum": 100}}}
CLASS_NAME = {"type": "string", "minLength": 1, "maxLength": 255,
              "pattern": "^[A-Za-z0-9_.-]+$"}
PROJECT_ID = {"type": "string", "pattern": "^[A-Za-z0-9_-]{1,64}$"}

SET_REQUEST = {
    "type": "object", "additionalProperties": False, "minProperties": 1,
    "properties": {
        "limits": LIMITS,
        "soft": {"type": "object", "properties": {r: SOFT for r in RESOURCES},
                 "additionalProperties": False},
        "quota_class": {"oneOf": [CLASS_NAME, {"type": "null"}],
                        "description": "The project's class; null: back to `default`."},
    },
}
CLASS_REQUEST = {"type": "object", "additionalProperties": False, "required": ["limits"],
                 "properties": {"limits": LIMITS}}

_PER_REGION = {"type": "object", "additionalProperties": {"type": ["integer", "null"]}}
OVER_LIMIT = {
    "type": "object", "description": "Usage over the global limit, on record since `since` "
    "(some region's own service let concurrent creates pass its native limit).",
    "required": ["over_by", "total_usage", "global_limit", "since", "regions"],
    "properties": {"over_by": {"type": "integer"}, "total_usage": {"type": "integer"},
                   "global_limit": {"type": "integer"}, "since": {"type": "string"},
                   "regions": {"type": "object", "additionalProperties": {
                       "type": "object", "properties": {
                           "usage": {"type": "integer"},
                           "limit": {"type": ["integer", "null"]}}}}}}
VIEW = {
    "type": "object", "required": ["quota"],
    "properties": {"quota": {
        "type": "object", "required": ["project_id", "regions", "resources", "complete"],
        "properties": {
            "project_id": {"type": "string"}, "quota_class": {"type": "string"},
            "complete": {"type": "boolean"},
            "regions": {"type": "object", "additionalProperties": {
                "type": "object", "required": ["status"],
                "properties": {"status": {"enum": ["ok", "unreachable"]},
                               "error": {"type": "string"}}}},
            "resources": {"type": "object", "additionalProperties": {
                "type": "object",
                "required": ["limit", "enforcement", "usage", "total_usage",
                             "regional_limits", "over_limit"],
                "properties": {"limit": {"type": "integer"},
                               "enforcement": {
                                   "enum": ["enforced", "shown_only", "unlimited"],
                                   "description": "enforced: Albatross rebalances the "
                                   "regions' native limits under it; shown_only: a default "
                                   "limit this project is not rebalanced to (each region "
                                   "keeps its own); unlimited: no global limit."},
                               "over_limit": {"oneOf": [{"type": "null"}, OVER_LIMIT]},
                               "soft_limit": {"type": ["integer", "null"]},
                               "usage": _PER_REGION, "total_usage": {"type": "integer"},
                               "remaining": {"type": ["integer", "null"]},
                               "regional_limits": _PER_REGION}}}}}},
}
CLASS_VIEW = {"type": "object", "required": ["quota_class"], "properties": {"quota_class": {
    "type": "object", "required": ["name", "limits"],
    "properties": {"name": {"type": "string"},
                   "limits": {"type": "object",
                              "additionalProperties": {"type": "integer"}}}}}}
EVENTS = {"type": "object", "required": ["events"], "properties": {"events": {
    "type": "array", "items": {"type": "object", "required": ["id", "kind", "created_at"],
                               "properties": {"id": {"type": "integer"},
                                              "kind": {"type": "string"},
                                              "resource": NULLABLE_STR,
                                              "detail": NULLABLE_STR}}}}}
