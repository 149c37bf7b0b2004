"""[events]: the regions' notification buses Albatross listens to, and event retention."""
from oslo_config import cfg

from albatross.conf.image_sync import RegionUrls

GROUP = "events"
OPTS = [
    cfg.Opt("notification_urls", type=RegionUrls(), default={},
            help="Per region, the oslo.messaging transport URL its services send "
                 "notifications to, e.g. RegionOne=rabbit://user:pass@host:5672/. The name "
                 "`identity` stands for Keystone's own bus."),
    cfg.DictOpt("notification_topics", default={},
                help="Per region, the services' [oslo_messaging_notifications] topics "
                     "(default: notifications), e.g. RegionOne=notifications_r1 when the "
                     "regions share one broker."),
    cfg.ListOpt("notification_exchanges",
                default=["nova", "neutron", "glance", "cinder", "keystone", "openstack"],
                help="The exchanges the services publish on (their control_exchange)."),
    cfg.StrOpt("notification_pool", default="albatross-events",
               help="Listener pool: Albatross gets its own queues and never takes "
                    "notifications meant for other consumers; servers in one pool share "
                    "the work."),
    cfg.IntOpt("retention_days", default=30, min=1,
               help="Events older than this are deleted."),
]


def register_opts(conf):
    conf.register_opts(OPTS, group=GROUP)
