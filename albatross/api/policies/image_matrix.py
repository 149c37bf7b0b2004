from oslo_policy import policy

from albatross.api.policies.base import ADMIN, PROJECT_READER

RULES = [
    policy.DocumentedRuleDefault(
        "albatross:images:list", f"{ADMIN} or {PROJECT_READER}",
        "List the images the project sees in a region, with the state of their copies in "
        "every region.",
        [{"method": "GET", "path": "/v1/images"}]),
]
