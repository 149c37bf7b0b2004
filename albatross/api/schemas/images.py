from albatross.api.schemas.common import REGION, UUID
from albatross.api.schemas.secgroups import TARGET_REGIONS

SYNC_REQUEST = {
    "type": "object",
    "additionalProperties": False,
    "required": ["source_region", "target_regions", "images"],
    "properties": {
        "source_region": REGION,
        "target_regions": TARGET_REGIONS,
        "images": {"type": "array", "items": UUID, "minItems": 1, "maxItems": 100,
                   "description": "Image ids in the source region (an AMI brings its "
                                  "kernel and ramdisk images along)."},
        "force": {"type": "boolean", "default": False,
                  "description": "Replace a different image holding the id in a target."},
    },
}

ENSURE_REQUEST = {
    "type": "object",
    "additionalProperties": False,
    "required": ["region"],
    "properties": {
        "region": REGION,
        "source_region": {**REGION, "description": "Where to copy from (default: the "
                                                   "source_region of the image's sync mode, "
                                                   "else the first region that has it)."},
    },
}

ENSURE_RESPONSE = {
    "type": "object",
    "required": ["image"],
    "properties": {
        "job_id": {"type": "string"},
        "image": {"type": "object", "required": ["region", "status"],
                  "properties": {"id": {"type": ["string", "null"]},
                                 "region": {"type": "string"},
                                 "status": {"type": "string"},
                                 "copied": {"type": "boolean"}}},
    },
}
