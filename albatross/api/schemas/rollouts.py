from albatross.api.schemas.common import NULLABLE_STR, REGION, TIMESTAMP, UUID

STATES = ["running", "waiting_approval", "paused", "completed", "failed", "aborted",
          "rolling_back", "rolled_back"]
JOB_STATUS = {"enum": ["QUEUED", "RUNNING", "SUCCESS", "FAILED", None]}

CREATE = {
    "type": "object",
    "additionalProperties": False,
    "required": ["image_id", "source_region", "waves"],
    "properties": {
        "image_id": {**UUID, "description": "The new version, in the source region."},
        "source_region": REGION,
        "waves": {"type": "array", "minItems": 1, "maxItems": 50,
                  "items": {"type": "array", "items": REGION, "minItems": 1, "maxItems": 100},
                  "description": "Regions per wave, in order (e.g. a canary region first); "
                                 "a region may appear once, never the source."},
        "auto_approve": {"type": "boolean", "default": False,
                         "description": "Start each wave when the previous one is verified, "
                                        "without waiting for approve."},
    },
}

WAVE = {
    "type": "object",
    "required": ["index", "regions", "job_id", "job_status", "verified"],
    "properties": {
        "index": {"type": "integer"},
        "regions": {"type": "array", "items": {"type": "string"}},
        "job_id": NULLABLE_STR, "job_status": JOB_STATUS,
        "verified": {"type": "boolean", "description": "Every copy read back ACTIVE with "
                                                       "the source's hash."},
        "error": NULLABLE_STR, "last_error": NULLABLE_STR,
        "copies": {"type": "object", "additionalProperties": {"type": "string"},
                   "description": "Region -> the new copy's id."},
        "hidden": {"type": "object",
                   "additionalProperties": {"type": "array", "items": {"type": "string"}},
                   "description": "Region -> older copies of the same name it hid."},
    },
}

EVENT = {
    "type": "object",
    "required": ["at", "actor", "event", "to_state"],
    "properties": {
        "at": TIMESTAMP, "actor": {"type": "string"}, "event": {"type": "string"},
        "from_state": {"enum": STATES + [None]}, "to_state": {"enum": STATES},
        "wave": {"type": ["integer", "null"]}, "job_id": NULLABLE_STR, "detail": NULLABLE_STR,
    },
}

ROLLOUT = {
    "type": "object",
    "required": ["id", "image_id", "source_region", "state", "current_wave", "waves"],
    "properties": {
        "id": {"type": "string"}, "project_id": {"type": "string"},
        "user_id": {"type": "string"}, "image_id": {"type": "string"},
        "image_name": NULLABLE_STR, "source_region": {"type": "string"},
        "auto_approve": {"type": "boolean"}, "state": {"enum": STATES},
        "current_wave": {"type": "integer"}, "waves": {"type": "array", "items": WAVE},
        "rollback_job_id": NULLABLE_STR, "rollback_job_status": JOB_STATUS,
        "created_at": TIMESTAMP, "updated_at": TIMESTAMP,
        "history": {"type": "array", "items": EVENT},
    },
}

ROLLOUT_ENVELOPE = {"type": "object", "required": ["rollout"],
                    "properties": {"rollout": ROLLOUT}}
ROLLOUT_LIST = {"type": "object", "required": ["rollouts"],
                "properties": {"rollouts": {"type": "array", "items": ROLLOUT}}}
