from oslo_policy import policy

from albatross.api.policies.base import ADMIN, PROJECT_MEMBER

RULES = [
    policy.DocumentedRuleDefault(
        "albatross:security_groups:sync", f"{ADMIN} or {PROJECT_MEMBER}",
        "Copy the project's security groups (with their rules) to other regions.",
        [{"method": "POST", "path": "/v1/security-groups/sync"}]),
]
