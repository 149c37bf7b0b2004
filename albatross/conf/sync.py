"""[sync]: sync policies and their audits."""
from oslo_config import cfg

GROUP = "sync"
OPTS = [
    cfg.IntOpt("audit_interval", default=600, min=60,
               help="Default seconds between two audits of a sync policy (a policy may set "
                    "its own)."),
    cfg.IntOpt("audit_check_interval", default=30, min=0,
               help="How often the resync asks what is due of the sync policies' audits, "
                    "half image copies to remove, rollouts to move on and auto mode's polls "
                    "(0: never; audits then run only on demand, and the others stop)."),
    cfg.IntOpt("max_policies_per_project", default=100, min=1,
               help="Sync policies one project may have: each audit reads its source and "
                    "every target region, so their number is the project's read budget."),
]


def register_opts(conf):
    conf.register_opts(OPTS, group=GROUP)
