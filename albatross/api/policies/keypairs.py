from oslo_policy import policy

from albatross.api.policies.base import ADMIN, PROJECT_MEMBER

RULES = [
    policy.DocumentedRuleDefault(
        "albatross:keypairs:sync", f"{ADMIN} or {PROJECT_MEMBER}",
        "Copy keypairs from one region to others.",
        [{"method": "POST", "path": "/v1/keypairs/sync"},
         {"method": "POST", "path": "/v1.0/{project_id}/os-sync"}]),
    policy.DocumentedRuleDefault(
        "albatross:keypairs:sync:other_user", ADMIN,
        "Copy the keypairs of another user (by user_id).",
        [{"method": "POST", "path": "/v1/keypairs/sync"}]),
]
