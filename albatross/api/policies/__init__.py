"""oslo.policy defaults in code, one module per resource; operators override any rule in
policy.yaml (`oslopolicy-sample-generator --namespace albatross` lists them)."""
import itertools

from albatross.api.policies import (base, flavors, images, jobs, keypairs, quotas, regions,
                                    secgroups, sync_policies)


def list_rules():
    return list(itertools.chain(base.RULES, regions.RULES, jobs.RULES, keypairs.RULES,
                                flavors.RULES, quotas.RULES, secgroups.RULES,
                                sync_policies.RULES, images.RULES))
