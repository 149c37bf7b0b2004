"""The three personas of OpenStack's secure RBAC: admin, project member, project reader."""
from oslo_policy import policy

ADMIN = "rule:admin"
PROJECT_MEMBER = "rule:project_member"
PROJECT_READER = "rule:project_reader"

RULES = [
    policy.RuleDefault("admin", "role:admin", "An administrator of the whole deployment."),
    policy.RuleDefault("project_member", "role:member and project_id:%(project_id)s",
                       "A member of the project that owns the object."),
    policy.RuleDefault("project_reader", "role:reader and project_id:%(project_id)s",
                       "A reader of the project that owns the object."),
    policy.RuleDefault("context_is_admin", "role:admin", "Sees every project's objects."),
]
