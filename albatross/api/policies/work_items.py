from oslo_policy import policy

from albatross.api.policies.base import ADMIN

RULES = [
    policy.DocumentedRuleDefault(
        "albatross:work_items:list", ADMIN,
        "List the controllers' work items (every project's keys: admin only).",
        [{"method": "GET", "path": "/v1/work-items"}]),
]
