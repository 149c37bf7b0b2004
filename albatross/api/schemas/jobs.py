from albatross.api.schemas.common import JOB

JOB_LIST = {"type": "object", "required": ["jobs"],
            "properties": {"jobs": {"type": "array", "items": JOB}}}

LIST_QUERY = {
    "all_projects": {"type": "boolean", "default": False},
    "active": {"type": "boolean", "default": False},
    "kind": {"type": "string", "maxLength": 32},
    "limit": {"type": "integer", "minimum": 1, "maximum": 1000, "default": 100},
    "marker": {"type": "string", "maxLength": 64},
}
