from oslo_policy import policy

from albatross.api.policies.base import ADMIN, PROJECT_READER

RULES = [
    policy.DocumentedRuleDefault(
        "albatross:quotas:get", f"{ADMIN} or {PROJECT_READER}",
        "See a project's global quota view and its quota events.",
        [{"method": "GET", "path": "/v1/projects/{project_id}/quotas"},
         {"method": "GET", "path": "/v1/projects/{project_id}/quota-events"},
         {"method": "GET", "path": "/v1.0/{project_id}/os-quota-sets/{target_project}"},
         {"method": "GET", "path": "/v1.0/{project_id}/os-quota-sets/{target_project}/detail"}]),
    policy.DocumentedRuleDefault(
        "albatross:quotas:update", ADMIN, "Set or delete a project's global limits.",
        [{"method": "PUT", "path": "/v1/projects/{project_id}/quotas"},
         {"method": "DELETE", "path": "/v1/projects/{project_id}/quotas"},
         {"method": "PUT", "path": "/v1.0/{project_id}/os-quota-sets/{target_project}"},
         {"method": "DELETE", "path": "/v1.0/{project_id}/os-quota-sets/{target_project}"}]),
    policy.DocumentedRuleDefault(
        "albatross:quotas:sync", ADMIN, "Rebalance a project's regional limits now.",
        [{"method": "POST", "path": "/v1/projects/{project_id}/quotas/sync"},
         {"method": "PUT", "path": "/v1.0/{project_id}/os-quota-sets/{target_project}/sync"}]),
    policy.DocumentedRuleDefault(
        "albatross:quota_classes:get", f"{ADMIN} or {PROJECT_READER}",
        "See a quota class (and the defaults).",
        [{"method": "GET", "path": "/v1/quota-classes/{class_name}"},
         {"method": "GET", "path": "/v1.0/{project_id}/os-quota-sets/defaults"},
         {"method": "GET", "path": "/v1.0/{project_id}/os-quota-class-sets/{class_name}"}]),
    policy.DocumentedRuleDefault(
        "albatross:quota_classes:update", ADMIN, "Set or delete a quota class.",
        [{"method": "PUT", "path": "/v1/quota-classes/{class_name}"},
         {"method": "DELETE", "path": "/v1/quota-classes/{class_name}"},
         {"method": "PUT", "path": "/v1.0/{project_id}/os-quota-class-sets/{class_name}"},
         {"method": "DELETE", "path": "/v1.0/{project_id}/os-quota-class-sets/{class_name}"}]),
]
