"""[delegation]: how Albatross acts for users (docs/security.md)."""
from oslo_config import cfg

GROUP = "delegation"
OPTS = [
    cfg.IntOpt("job_trust_hours", default=168, min=1,
               help="Lifetime of the Keystone trust a job is given at request time (it is "
                    "deleted as soon as the job ends). Sync policies, image auto mode and "
                    "rollouts keep theirs until they are deleted."),
]


def register_opts(conf):
    conf.register_opts(OPTS, group=GROUP)
