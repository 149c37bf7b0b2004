from oslo_policy import policy

from albatross.api.policies.base import ADMIN, PROJECT_READER

RULES = [
    policy.DocumentedRuleDefault(
        "albatross:events:list", f"{ADMIN} or {PROJECT_READER}",
        "Search the project's events (notifications from every region, the audit trail) "
        "and follow them live.",
        [{"method": "GET", "path": "/v1/events"},
         {"method": "GET", "path": "/v1/events/stream"}]),
    policy.DocumentedRuleDefault(
        "albatross:events:list:all_projects", ADMIN, "Search every project's events.",
        [{"method": "GET", "path": "/v1/events?all_projects=true"},
         {"method": "GET", "path": "/v1/events/stream?all_projects=true"}]),
]
