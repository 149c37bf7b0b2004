from albatross.api.schemas.common import NULLABLE_STR, REGION
from albatross.indicators.catalog import INDICATORS

QUERY = {
    "region": REGION,
    "project_id": {"type": "string", "minLength": 1, "maxLength": 64},
    "name": {"enum": sorted(INDICATORS)},
    "start": {"type": "string", "maxLength": 64,
              "description": "ISO 8601 time (UTC without an offset); default: end - 1h"},
    "end": {"type": "string", "maxLength": 64, "description": "ISO 8601 time; default: now"},
    "step": {"type": "string", "maxLength": 16,
             "description": "Bucket length: 60, 30s, 5m, 1h, 1d; default: at most 300 "
                            "buckets"},
}

POINT = {"type": "object", "required": ["time", "mean", "min", "max", "samples"],
         "properties": {"time": {"type": "string"}, "mean": {"type": "number"},
                        "min": {"type": "number"}, "max": {"type": "number"},
                        "samples": {"type": "integer"}}}
SERIES = {"type": "object", "required": ["name", "region", "labels", "points"],
          "properties": {"name": {"type": "string"}, "region": {"type": "string"},
                         "project_id": NULLABLE_STR, "labels": {"type": "object"},
                         "unit": {"type": "string"},
                         "points": {"type": "array", "items": POINT}}}
SERIES_LIST = {"type": "object", "required": ["start", "end", "step", "resolution", "series"],
               "properties": {"start": {"type": "string"}, "end": {"type": "string"},
                              "step": {"type": "integer"}, "resolution": {"type": "integer"},
                              "series": {"type": "array", "items": SERIES}}}

NUMBER = {"type": ["number", "null"]}
CAPACITY = {"type": "object", "additionalProperties": {
    "type": "object", "required": ["capacity", "used", "utilization"],
    "properties": {"capacity": NUMBER, "used": NUMBER, "utilization": NUMBER}}}
REGION_SUMMARY = {
    "type": "object", "required": ["region", "status", "reason", "capacity", "counts"],
    "properties": {"region": {"type": "string"}, "status": {"enum": ["up", "down"]},
                   "reason": NULLABLE_STR, "checked_at": NULLABLE_STR, "since": NULLABLE_STR,
                   "capacity": CAPACITY, "capacity_as_of": NULLABLE_STR,
                   "counts": {"type": "object"}}}
SUMMARY = {
    "type": "object", "required": ["collected_at", "overall", "regions"],
    "properties": {
        "collected_at": NULLABLE_STR,
        "overall": {"type": "object",
                    "required": ["regions_up", "regions_down", "capacity", "counted_regions"],
                    "properties": {"regions_up": {"type": "integer"},
                                   "regions_down": {"type": "integer"},
                                   "capacity": CAPACITY, "counts": {"type": "object"},
                                   "counted_regions": {"type": "array",
                                                       "items": {"type": "string"}}}},
        "regions": {"type": "array", "items": REGION_SUMMARY}}}
