from albatross.api.schemas.common import NAME, NULLABLE_STR, REGION, TIMESTAMP
from albatross.api.schemas.secgroups import SELECTION, TARGET_REGIONS

RESOURCE_TYPES = ["keypair", "security_group"]

CREATE = {
    "type": "object",
    "additionalProperties": False,
    "required": ["name", "resource_type", "source_region", "target_regions"],
    "properties": {
        "name": NAME,
        "resource_type": {"enum": RESOURCE_TYPES},
        "source_region": REGION,
        "target_regions": TARGET_REGIONS,
        "all": SELECTION["all"],
        "names": {"type": "array", "items": NAME, "minItems": 1, "maxItems": 500,
                  "description": "Names (or ids, for security groups) to keep in step."},
        "tags": {**SELECTION["tags"], "description": "Security groups only: every group "
                                                     "with any of these tags."},
        "propagate_deletes": {"type": "boolean", "default": False,
                              "description": "Delete a copy when its source is deleted "
                                             "(only copies Albatross created)."},
        "repair": {"type": "boolean", "default": True,
                   "description": "Repair drift; false only reports it."},
        "interval": {"type": "integer", "minimum": 60, "maximum": 604800,
                     "description": "Seconds between audits (default [sync] "
                                    "audit_interval)."},
        "enabled": {"type": "boolean", "default": True},
    },
}

POLICY = {
    "type": "object",
    "required": ["id", "name", "resource_type", "source_region", "target_regions"],
    "properties": {
        "id": {"type": "string"}, "name": {"type": "string"},
        "project_id": {"type": "string"}, "user_id": {"type": "string"},
        "resource_type": {"enum": RESOURCE_TYPES}, "source_region": {"type": "string"},
        "target_regions": {"oneOf": [{"type": "array", "items": {"type": "string"}},
                                     {"const": "all"}]},
        "selector": {"type": "object"}, "propagate_deletes": {"type": "boolean"},
        "repair": {"type": "boolean"}, "interval": {"type": "integer"},
        "enabled": {"type": "boolean"}, "last_audit_at": TIMESTAMP,
        "last_job_id": NULLABLE_STR, "created_at": TIMESTAMP, "updated_at": TIMESTAMP,
    },
}

POLICY_ENVELOPE = {"type": "object", "required": ["policy"], "properties": {"policy": POLICY}}
POLICY_LIST = {"type": "object", "required": ["policies"],
               "properties": {"policies": {"type": "array", "items": POLICY}}}

DRIFT_EVENT = {
    "type": "object",
    "required": ["id", "region", "resource_type", "resource", "kind", "created_at"],
    "properties": {
        "id": {"type": "integer"}, "project_id": {"type": "string"},
        "policy_id": NULLABLE_STR, "job_id": NULLABLE_STR, "region": {"type": "string"},
        "resource_type": {"type": "string"}, "resource": {"type": "string"},
        "kind": {"enum": ["missing", "different", "extra", "deleted", "unreachable"]},
        "detail": NULLABLE_STR, "repaired": {"type": "boolean"}, "created_at": TIMESTAMP,
    },
}
DRIFT_LIST = {"type": "object", "required": ["drift"],
              "properties": {"drift": {"type": "array", "items": DRIFT_EVENT}}}
DRIFT_QUERY = {
    "policy_id": {"type": "string", "maxLength": 36},
    "region": REGION,
    "resource_type": {"type": "string", "maxLength": 200,
                      "pattern": "^[a-z_]{1,32}(,[a-z_]{1,32}){0,5}$",
                      "description": "Only drift of these resource types (comma-separated), "
                                     "e.g. keypair or security_group,rule,address_group."},
    "limit": {"type": "integer", "minimum": 1, "maximum": 1000, "default": 100},
    "marker": {"type": "integer", "minimum": 1, "maximum": 2 ** 53},
    "all_projects": {"type": "boolean", "default": False},
}
