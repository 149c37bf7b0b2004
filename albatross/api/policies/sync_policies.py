from oslo_policy import policy

from albatross.api.policies.base import ADMIN, PROJECT_MEMBER, PROJECT_READER

RULES = [
    policy.DocumentedRuleDefault(
        "albatross:sync_policies:create", f"{ADMIN} or {PROJECT_MEMBER}",
        "Declare resources to keep in step across regions.",
        [{"method": "POST", "path": "/v1/sync-policies"}]),
    policy.DocumentedRuleDefault(
        "albatross:sync_policies:list", f"{ADMIN} or {PROJECT_READER}",
        "List the project's sync policies.", [{"method": "GET", "path": "/v1/sync-policies"}]),
    policy.DocumentedRuleDefault(
        "albatross:sync_policies:get", f"{ADMIN} or {PROJECT_READER}",
        "Show a sync policy.", [{"method": "GET", "path": "/v1/sync-policies/{policy_id}"}]),
    policy.DocumentedRuleDefault(
        "albatross:sync_policies:delete", f"{ADMIN} or {PROJECT_MEMBER}",
        "Delete a sync policy (the copies stay).",
        [{"method": "DELETE", "path": "/v1/sync-policies/{policy_id}"}]),
    policy.DocumentedRuleDefault(
        "albatross:sync_policies:audit", f"{ADMIN} or {PROJECT_MEMBER}",
        "Audit (and repair) a sync policy now.",
        [{"method": "POST", "path": "/v1/sync-policies/{policy_id}/audit"}]),
    policy.DocumentedRuleDefault(
        "albatross:drift:list", f"{ADMIN} or {PROJECT_READER}",
        "List the drift audits found.", [{"method": "GET", "path": "/v1/drift"}]),
    policy.DocumentedRuleDefault(
        "albatross:drift:list:all_projects", ADMIN, "List every project's drift.",
        [{"method": "GET", "path": "/v1/drift?all_projects=true"}]),
]
