from oslo_policy import policy

from albatross.api.policies.base import ADMIN, PROJECT_READER

PROJECT = "albatross:indicators:project"
ALL = "albatross:indicators:all"

RULES = [
    policy.DocumentedRuleDefault(
        PROJECT, f"{ADMIN} or {PROJECT_READER}",
        "Read a project's own indicator series (usage and quota headroom).",
        [{"method": "GET", "path": "/v1/indicators"}]),
    policy.DocumentedRuleDefault(
        ALL, ADMIN,
        "Read every indicator (capacity, health, object counts, every project), the "
        "global summary and /metrics.",
        [{"method": "GET", "path": "/v1/indicators"},
         {"method": "GET", "path": "/v1/indicators/summary"},
         {"method": "GET", "path": "/metrics"}]),
]
