from oslo_policy import policy

from albatross.api.policies.base import ADMIN, PROJECT_MEMBER, PROJECT_READER

RULES = [
    policy.DocumentedRuleDefault(
        "albatross:addresses:get", f"{ADMIN} or {PROJECT_READER}",
        "See a project's addresses in every region, find an address, conflicts, usage.",
        [{"method": "GET", "path": "/v1/projects/{project_id}/addresses"},
         {"method": "GET", "path": "/v1/projects/{project_id}/addresses/find"},
         {"method": "GET", "path": "/v1/projects/{project_id}/addresses/conflicts"},
         {"method": "GET", "path": "/v1/projects/{project_id}/addresses/summary"},
         {"method": "POST", "path": "/v1/projects/{project_id}/addresses/refresh"},
         {"method": "GET", "path": "/v1/projects/{project_id}/address-plan"}]),
    policy.DocumentedRuleDefault(
        "albatross:addresses:plan", f"{ADMIN} or {PROJECT_MEMBER}",
        "Set the project's address plan and connectivity groups.",
        [{"method": "PUT", "path": "/v1/projects/{project_id}/address-plan"}]),
    policy.DocumentedRuleDefault(
        "albatross:addresses:allocate", f"{ADMIN} or {PROJECT_MEMBER}",
        "Create a subnet with the next free CIDR of the plan.",
        [{"method": "POST", "path": "/v1/projects/{project_id}/subnets"}]),
    policy.DocumentedRuleDefault(
        "albatross:addresses:external", ADMIN,
        "Floating and public addresses of every project, and their duplicates.",
        [{"method": "GET", "path": "/v1/addresses/external"}]),
]
