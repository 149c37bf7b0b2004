from oslo_policy import policy

from albatross.api.policies.base import ADMIN, PROJECT_READER

RULES = [
    policy.DocumentedRuleDefault(
        "albatross:regions:list", f"{ADMIN} or {PROJECT_READER}",
        "List the managed regions and the health of their endpoints.",
        [{"method": "GET", "path": "/v1/regions"}]),
]
