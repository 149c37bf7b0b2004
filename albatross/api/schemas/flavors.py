from albatross.api.schemas.common import REGION

# a flavor name or id as Nova accepts them (names may hold any printable character)
FLAVOR_REF = {"type": "string", "minLength": 1, "maxLength": 255}

SYNC_REQUEST = {
    "type": "object",
    "additionalProperties": False,
    "required": ["source_region", "target_regions", "flavors"],
    "properties": {
        "source_region": REGION,
        "target_regions": {
            "description": 'Regions to copy to, or "all" for every region but the source.',
            "oneOf": [{"type": "array", "items": REGION, "minItems": 1, "maxItems": 100},
                      {"const": "all"}]},
        "flavors": {"type": "array", "items": FLAVOR_REF, "minItems": 1, "maxItems": 100,
                    "description": "Names or ids of flavors in the source region."},
        "force": {"type": "boolean", "default": False,
                  "description": "Delete and recreate a target flavor whose fixed fields "
                                 "(ram, vcpus, disk, ...) or id differ."},
    },
}
