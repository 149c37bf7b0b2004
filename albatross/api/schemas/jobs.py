from albatross.api.schemas.common import JOB, UUID

JOB_LIST = {"type": "object", "required": ["jobs"],
            "properties": {"jobs": {"type": "array", "items": JOB}}}

LIST_QUERY = {
    "all_projects": {"type": "boolean", "default": False},
    "active": {"type": "boolean", "default": False},
    "kind": {"type": "string", "pattern": "^[a-z_]{1,32}$"},
    "limit": {"type": "integer", "minimum": 1, "maximum": 1000, "default": 100},
    "marker": UUID,
}
