"""[quota]: how global limits are turned into regional ones (docs/quota.md)."""
from oslo_config import cfg

GROUP = "quota"
OPTS = [
    cfg.StrOpt("policy", default="strict", choices=["strict", "optimistic"],
               help="strict: the regional limits never add up to more than the global "
                    "limit. optimistic: every region may use all the headroom (Kingbird's "
                    "way); regions may overshoot together until the next rebalance."),
    cfg.IntOpt("rebalance_interval", default=900, min=0,
               help="Seconds between rebalances of every project (0: only on changes and "
                    "on demand)."),
    cfg.BoolOpt("all_projects", default=False,
                help="Periodic rebalances cover every enabled Keystone project (the default "
                     "class then clamps all of them). Off: only projects given limits or a "
                     "class in Albatross, so adopting a cloud changes nothing by surprise."),
    cfg.StrOpt("webhook_url", default=None,
               help="POSTed a JSON event when a soft limit is crossed or cleared."),
]


def register_opts(conf):
    conf.register_opts(OPTS, group=GROUP)
