"""Kingbird's request shapes. `force` arrives as the strings "True"/"False" from its client
(a workaround for Kingbird's eval()), or as a boolean from anyone else. Resources are names
(keypairs, flavors) or ids (images, flavors); keypair names are held to Nova's own rule."""
from albatross.api.schemas.common import KEYPAIR_NAME, NAME, REGION

FORCE = {"oneOf": [{"type": "boolean"}, {"enum": ["True", "False", "true", "false"]}]}
ENTRY = {
    "type": "object",
    "required": ["resource_type", "resources", "source", "target"],
    "properties": {
        "resource_type": {"enum": ["keypair", "image", "flavor"]},
        "resources": {"type": "array", "items": NAME, "minItems": 1, "maxItems": 100},
        "source": {"oneOf": [REGION, {"type": "array", "items": REGION,
                                      "minItems": 1, "maxItems": 1}]},
        "target": {"type": "array", "items": REGION, "minItems": 1, "maxItems": 100},
        "force": FORCE,
    },
    "if": {"properties": {"resource_type": {"const": "keypair"}}},
    "then": {"properties": {"resources": {"items": KEYPAIR_NAME}}},
}
TEMPLATE = {"type": "object", "required": ["Sync"], "additionalProperties": False,
            "properties": {"Sync": {"type": "array", "items": ENTRY, "minItems": 1,
                                    "maxItems": 20}}}
SYNC_REQUEST = {
    "type": "object", "required": ["resource_set"], "additionalProperties": False,
    "properties": {"resource_set": {"type": "object", "if": {"required": ["Sync"]},
                                    "then": TEMPLATE, "else": ENTRY}},
}
_STATUS = {"enum": ["IN_PROGRESS", "SUCCESS", "FAILURE"]}
JOB_STATUS = {"type": "object", "required": ["job_status"], "properties": {"job_status": {
    "type": "object", "required": ["id", "status", "created_at"],
    "properties": {"id": {"type": "string"}, "status": _STATUS,
                   "created_at": {"type": "string"}}}}}
JOB_SET = {"type": "object", "required": ["job_set"], "properties": {"job_set": {
    "type": "array", "items": {"type": "object", "required": ["id", "sync_status"],
                               "properties": {"id": {"type": "string"},
                                              "sync_status": _STATUS}}}}}
