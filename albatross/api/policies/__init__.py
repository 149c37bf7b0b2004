"""oslo.policy defaults in code, one module per resource; operators override any rule in
policy.yaml (`oslopolicy-sample-generator --namespace albatross` lists them)."""
import itertools

from albatross.api.policies import (base, flavors, image_modes, images, jobs, keypairs,
                                    quotas, regions, secgroups, sync_policies)
from albatross.api.policies import addresses, events, logs, rollouts
from albatross.api.policies import indicators
from albatross.api.policies import image_matrix, work_items


def list_rules():
    return list(itertools.chain(base.RULES, regions.RULES, jobs.RULES, keypairs.RULES,
                                flavors.RULES, quotas.RULES, secgroups.RULES,
                                sync_policies.RULES, images.RULES,
                                image_modes.RULES, rollouts.RULES, addresses.RULES,
                                events.RULES, logs.RULES, indicators.RULES,
                                image_matrix.RULES, work_items.RULES))
