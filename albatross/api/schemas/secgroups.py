from albatross.api.schemas.common import NAME, REGION

TARGET_REGIONS = {
    "description": 'Regions to copy to, or "all" for every region but the source.',
    "oneOf": [{"type": "array", "items": REGION, "minItems": 1, "maxItems": 100},
              {"const": "all"}]}

SELECTION = {
    "security_groups": {"type": "array", "items": NAME, "minItems": 1, "maxItems": 500,
                        "description": "Names or ids of groups in the source region."},
    "tags": {"type": "array", "items": NAME, "minItems": 1, "maxItems": 50,
             "description": "Also every group carrying any of these tags."},
    "all": {"type": "boolean", "description": "Every group of the project."},
}

SYNC_REQUEST = {
    "type": "object",
    "additionalProperties": False,
    "required": ["source_region", "target_regions"],
    "properties": {
        "source_region": REGION,
        "target_regions": TARGET_REGIONS,
        **SELECTION,
        "project_id": {"type": "string", "minLength": 1, "maxLength": 64,
                       "description": "Admin only: another project's groups."},
    },
}
