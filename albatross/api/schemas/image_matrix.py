"""The image x region matrix (GET /v1/images)."""
from albatross.api.schemas.common import NULLABLE_STR, REGION, UUID

STATES = ["source", "in_sync", "different", "copying", "missing", "unreachable"]

LIST_QUERY = {
    "source": {**REGION, "description": "The region whose images are listed (default: the "
                                         "source of the project's image sync default, else "
                                         "the first region)."},
    "limit": {"type": "integer", "minimum": 1, "maximum": 1000, "default": 100},
    "marker": {**UUID, "description": "The last image id of the previous page."},
}

CELL = {
    "type": "object", "required": ["state"],
    "properties": {
        "state": {"enum": STATES, "description": "source; in_sync: ACTIVE with the same hash; "
                                                 "different: present, not identical; "
                                                 "copying: a copy is running; missing; "
                                                 "unreachable: the region did not answer."},
        "id": {"type": "string", "description": "The copy's id (another id after a retry)."},
        "status": {"type": "string", "description": "The copy's Glance status."},
        "job_id": NULLABLE_STR,
    },
}

IMAGE_ROW = {
    "type": "object",
    "required": ["id", "name", "status", "owner", "mode", "regions"],
    "properties": {
        "id": {"type": "string"}, "name": NULLABLE_STR, "status": {"type": "string"},
        "size": {"type": ["integer", "null"]}, "os_hash_value": NULLABLE_STR,
        "visibility": NULLABLE_STR, "owner": NULLABLE_STR, "hidden": {"type": "boolean"},
        "mode": {"enum": ["none", "auto", "lazy", "controlled"]},
        "mode_set_on": {"enum": ["image", "project", "default"]},
        "regions": {"type": "object", "additionalProperties": CELL},
    },
}

MATRIX = {
    "type": "object",
    "required": ["source_region", "regions", "unreachable", "images", "next_marker"],
    "properties": {
        "source_region": {"type": "string"},
        "regions": {"type": "array", "items": {"type": "string"}},
        "unreachable": {"type": "array", "items": {
            "type": "object", "required": ["region", "error"],
            "properties": {"region": {"type": "string"}, "error": {"type": "string"}}}},
        "images": {"type": "array", "items": IMAGE_ROW},
        "next_marker": NULLABLE_STR,
    },
}
