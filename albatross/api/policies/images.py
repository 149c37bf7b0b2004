from oslo_policy import policy

from albatross.api.policies.base import ADMIN, PROJECT_MEMBER

RULES = [
    policy.DocumentedRuleDefault(
        "albatross:images:sync", f"{ADMIN} or {PROJECT_MEMBER}",
        "Copy images the project can see (Glance's visibility rules) to other regions.",
        [{"method": "POST", "path": "/v1/images/sync"},
         {"method": "POST", "path": "/v1.0/{project_id}/os-sync"}]),
    policy.DocumentedRuleDefault(
        "albatross:images:ensure", f"{ADMIN} or {PROJECT_MEMBER}",
        "Make sure an image is ACTIVE in a region, copying it on first use (lazy mode).",
        [{"method": "POST", "path": "/v1/images/{image_id}/ensure"}]),
]
