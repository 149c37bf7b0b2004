"""The three personas of OpenStack's secure RBAC: admin, project member, project reader."""
from oslo_policy import policy

ADMIN = "rule:admin"
PROJECT_MEMBER = "rule:project_member"
PROJECT_READER = "rule:project_reader"

# the admin role counts only in Keystone's admin project ([resource] admin_project_name; a
# Keystone without one marks every project so, as before): an admin role a user holds in
# some tenant's own project must not make them an administrator of every project here
CLOUD_ADMIN = "role:admin and is_admin_project:True"

RULES = [
    policy.RuleDefault("admin", CLOUD_ADMIN, "An administrator of the whole deployment."),
    policy.RuleDefault("project_member", "role:member and project_id:%(project_id)s",
                       "A member of the project that owns the object."),
    policy.RuleDefault("project_reader", "role:reader and project_id:%(project_id)s",
                       "A reader of the project that owns the object."),
    policy.RuleDefault("context_is_admin", CLOUD_ADMIN, "Sees every project's objects."),
]
