"""Image sync modes: the project default and per-image overrides."""
from albatross.api.schemas.common import NULLABLE_STR, REGION, TIMESTAMP
from albatross.api.schemas.secgroups import TARGET_REGIONS

_TARGETS_OUT = {"oneOf": [{"type": "array", "items": {"type": "string"}}, {"const": "all"},
                          {"type": "null"}]}

SET_REQUEST = {
    "type": "object",
    "additionalProperties": False,
    "required": ["mode"],
    "properties": {
        "mode": {"enum": ["none", "auto", "lazy"],
                 "description": "none: never copied without a request; auto: new and "
                                "changed images follow to the targets; lazy: copied on "
                                "first ensure (from source_region when given)."},
        "source_region": REGION,
        "target_regions": TARGET_REGIONS,
        "propagate_deletes": {"type": "boolean", "default": False,
                              "description": "Auto: delete the copies Albatross made when "
                                             "the source image is deleted."},
    },
}

_COMMON = {
    "project_id": {"type": "string"},
    "mode": {"enum": ["none", "auto", "lazy", "controlled"]},
    "source_region": NULLABLE_STR,
    "target_regions": _TARGETS_OUT,
    "propagate_deletes": {"type": "boolean"},
    "updated_at": TIMESTAMP,
}

PROJECT_SETTING = {
    "type": "object", "required": ["image_sync"],
    "properties": {"image_sync": {
        "type": "object", "required": ["project_id", "mode"],
        "properties": {**_COMMON, "poll": {
            "type": "object", "description": "What the auto poller last did.",
            "properties": {"last_poll_at": NULLABLE_STR, "last_error": NULLABLE_STR,
                           "recent_jobs": {"type": "array", "items": {"type": "string"}},
                           "backoff": {
                               "type": "array",
                               "description": "(image, target region) pairs whose auto copy "
                                              "keeps failing: left alone until retry_at, or "
                                              "until the source image changes.",
                               "items": {"type": "object",
                                         "required": ["image_id", "region", "failures",
                                                      "retry_at"],
                                         "properties": {
                                             "image_id": {"type": "string"},
                                             "region": {"type": "string"},
                                             "failures": {"type": "integer", "minimum": 1},
                                             "retry_at": {"type": "string"},
                                             "last_error": NULLABLE_STR}}}}}}}},
}

IMAGE_SETTING = {
    "type": "object", "required": ["sync_mode"],
    "properties": {"sync_mode": {
        "type": "object", "required": ["image_id", "project_id", "mode", "set_on"],
        "properties": {**_COMMON, "image_id": {"type": "string"},
                       "set_on": {"enum": ["image", "project", "default"],
                                  "description": "Where the mode comes from: the image's "
                                                 "own setting, the project default, or "
                                                 "neither (none)."}}}},
}
