"""[image_sync]: auto mode's poller and the Glance notifications that make it react at once."""
import re

from oslo_config import cfg, types

GROUP = "image_sync"


class RegionUrls(types.Dict):
    """REGION=TRANSPORT_URL pairs separated by commas, where a URL may itself hold commas
    (several RabbitMQ hosts): a new pair starts only where `NAME=scheme://` follows."""

    _PAIR = re.compile(r",\s*(?=[^,=\s]+\s*=\s*[a-z][a-z0-9+.-]*://)")

    def __init__(self):
        super().__init__(key_value_separator="=", type_name="region=url pairs")

    def __call__(self, value):
        if isinstance(value, dict):
            return value
        out = {}
        for pair in filter(None, (p.strip() for p in self._PAIR.split(value.strip()))):
            key, sep, url = pair.partition("=")
            if not sep or not key.strip() or "://" not in url:
                raise ValueError(f"expected REGION=TRANSPORT_URL, got {pair!r}")
            out[key.strip()] = url.strip()
        return out


OPTS = [
    cfg.IntOpt("full_scan_interval", default=600, min=1,
               help="Seconds between two full looks at an auto project's images (between "
                    "them the poller lists only what changed). A full look also retries "
                    "copies whose job failed."),
    cfg.Opt("notification_urls", type=RegionUrls(), default={},
            help="Per region, the oslo.messaging transport URL its Glance sends "
                 "notifications to, e.g. RegionOne=rabbit://user:pass@host:5672/. A region "
                 "listed here gets its auto copies started when Glance announces a change; "
                 "the others wait for the poller."),
    cfg.StrOpt("notification_topic", default="notifications",
               help="Glance's [oslo_messaging_notifications] topics."),
    cfg.StrOpt("notification_exchange", default="glance",
               help="The exchange Glance publishes on (its control_exchange)."),
    cfg.StrOpt("notification_pool", default="albatross",
               help="Listener pool: Albatross gets its own queue and never takes "
                    "notifications meant for other consumers (e.g. Ceilometer); servers in "
                    "one pool share the work."),
]


def register_opts(conf):
    conf.register_opts(OPTS, group=GROUP)
