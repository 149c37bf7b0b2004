from oslo_policy import policy

from albatross.api.policies.base import ADMIN

RULES = [
    policy.DocumentedRuleDefault(
        "albatross:flavors:sync", ADMIN,
        "Copy flavors (with extra specs and project access) from one region to others.",
        [{"method": "POST", "path": "/v1/flavors/sync"},
         {"method": "POST", "path": "/v1.0/{project_id}/os-sync"}]),
]
