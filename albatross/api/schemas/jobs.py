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

GET_QUERY = {
    "tasks_limit": {"type": "integer", "minimum": 0, "maximum": 1000, "default": 1000,
                    "description": "Tasks shown with the job (0: only their counts)."},
    "tasks_marker": {**UUID, "description": "The last task of the previous page "
                                            "(`tasks_next`)."},
}
