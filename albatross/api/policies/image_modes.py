from oslo_policy import policy

from albatross.api.policies.base import ADMIN, PROJECT_MEMBER, PROJECT_READER

RULES = [
    policy.DocumentedRuleDefault(
        "albatross:image_modes:get", f"{ADMIN} or {PROJECT_MEMBER} or {PROJECT_READER}",
        "See a project's image sync default, or the mode an image has for your project.",
        [{"method": "GET", "path": "/v1/projects/{project_id}/image-sync"},
         {"method": "GET", "path": "/v1/images/{image_id}/sync-mode"}]),
    policy.DocumentedRuleDefault(
        "albatross:image_modes:update", f"{ADMIN} or {PROJECT_MEMBER}",
        "Set or remove a project's image sync default, or an image's mode for your project.",
        [{"method": "PUT", "path": "/v1/projects/{project_id}/image-sync"},
         {"method": "DELETE", "path": "/v1/projects/{project_id}/image-sync"},
         {"method": "PUT", "path": "/v1/images/{image_id}/sync-mode"},
         {"method": "DELETE", "path": "/v1/images/{image_id}/sync-mode"}]),
]
