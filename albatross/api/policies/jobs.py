from oslo_policy import policy

from albatross.api.policies.base import ADMIN, PROJECT_MEMBER, PROJECT_READER

RULES = [
    policy.DocumentedRuleDefault(
        "albatross:jobs:list", f"{ADMIN} or {PROJECT_READER}", "List the project's jobs.",
        [{"method": "GET", "path": "/v1/jobs"},
         {"method": "GET", "path": "/v1.0/{project_id}/os-sync"},
         {"method": "GET", "path": "/v1.0/{project_id}/os-sync/active"}]),
    policy.DocumentedRuleDefault(
        "albatross:jobs:list:all_projects", ADMIN, "List the jobs of every project.",
        [{"method": "GET", "path": "/v1/jobs?all_projects=true"}]),
    policy.DocumentedRuleDefault(
        "albatross:jobs:get", f"{ADMIN} or {PROJECT_READER}", "Show a job and its tasks.",
        [{"method": "GET", "path": "/v1/jobs/{job_id}"},
         {"method": "GET", "path": "/v1.0/{project_id}/os-sync/{job_id}"}]),
    policy.DocumentedRuleDefault(
        "albatross:jobs:delete", f"{ADMIN} or {PROJECT_MEMBER}",
        "Forget a finished job (what it created stays).",
        [{"method": "DELETE", "path": "/v1/jobs/{job_id}"},
         {"method": "DELETE", "path": "/v1.0/{project_id}/os-sync/{job_id}"}]),
    policy.DocumentedRuleDefault(
        "albatross:jobs:retry", f"{ADMIN} or {PROJECT_MEMBER}",
        "Run a job's failed tasks again.",
        [{"method": "POST", "path": "/v1/jobs/{job_id}/retry"}]),
]
