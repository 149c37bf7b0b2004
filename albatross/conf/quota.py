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
               help="POSTed a JSON event when a soft limit is crossed or cleared, and when "
                    "usage goes over a global limit or back under it."),
    cfg.BoolOpt("react_to_notifications", default=True,
                help="Rebalance a project at once when a region's create or delete "
                     "notification shows its usage near its share or over the global limit "
                     "(needs [events] notification_urls), not only at the next periodic "
                     "pass."),
    cfg.FloatOpt("near_percent", default=80, min=0, max=100,
                 help="A region's usage counts as near its share at this percentage of its "
                      "native limit (and always with one unit left)."),
    cfg.FloatOpt("react_min_interval", default=2, min=0,
                 help="Seconds that notifications of one project are gathered before its "
                      "usage is read, and the least time between two reactive rebalances of "
                      "it: a burst of creates costs one rebalance, not one each."),
    cfg.IntOpt("react_max_pending", default=10000, min=1,
               help="(project, region) keys with notifications waiting to be looked at, "
                    "at most, per listener process; beyond it, new ones wait for the "
                    "periodic rebalance (a notification storm must not grow the work queue "
                    "without bound)."),
]


def register_opts(conf):
    conf.register_opts(OPTS, group=GROUP)
