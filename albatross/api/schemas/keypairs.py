from albatross.api.schemas.common import KEYPAIR_NAME, REGION

SYNC_REQUEST = {
    "type": "object",
    "additionalProperties": False,
    "required": ["source_region", "target_regions", "keypairs"],
    "properties": {
        "source_region": REGION,
        "target_regions": {
            "description": 'Regions to copy to, or "all" for every region but the source.',
            "oneOf": [{"type": "array", "items": REGION, "minItems": 1, "maxItems": 100},
                      {"const": "all"}]},
        "keypairs": {"type": "array", "items": KEYPAIR_NAME, "minItems": 1, "maxItems": 100,
                     "description": "Names of the caller's keypairs in the source region."},
        "force": {"type": "boolean", "default": False,
                  "description": "Replace a different key of the same name in a target."},
        "user_id": {"type": "string", "minLength": 1, "maxLength": 64,
                    "description": "Admin only: copy this user's keypairs."},
    },
}
