"""oslo.policy enforcement: defaults registered from code, overrides from the policy file."""
from oslo_context import context as oslo_context
from oslo_policy import policy

from albatross.api import policies
from albatross.exceptions import Forbidden


class PolicyEnforcer:
    def __init__(self, conf):
        # the file comes from [oslo_policy] policy_file (default policy.yaml); defaults
        # from code apply to every rule it does not name
        self._enforcer = policy.Enforcer(conf)
        self._enforcer.register_defaults(policies.list_rules())
        self._enforcer.load_rules()

    def creds(self, environ) -> dict:
        ctx = oslo_context.RequestContext.from_environ(environ)
        return ctx.to_policy_values()

    def is_admin(self, environ) -> bool:
        return self._enforcer.enforce("context_is_admin", {}, self.creds(environ))

    def check(self, rule: str, environ, target_project: str | None) -> bool:
        target = {"project_id": target_project}
        return self._enforcer.enforce(rule, target, self.creds(environ))

    def authorize(self, rule: str, environ, target_project: str | None) -> None:
        if not self.check(rule, environ, target_project):
            raise Forbidden(f"policy does not allow {rule}")
