"""[regions]: which OpenStack regions Albatross manages and with which credentials."""
from oslo_config import cfg

GROUP = "regions"
OPTS = [
    cfg.StrOpt("cloud", default="albatross",
               help="clouds.yaml entry with Albatross's own service credentials (admin role). "
                    "Its Keystone catalog lists the regions (one shared Keystone)."),
    cfg.ListOpt("clouds", default=[],
                help="Separate clouds instead, each with its own Keystone: clouds.yaml entries, "
                     "one region each; the region is known by the cloud's name."),
    cfg.ListOpt("only", default=[],
                help="Manage only these catalog regions (default: every region with endpoints)."),
    cfg.StrOpt("clouds_yaml", default=None,
               help="Path of clouds.yaml (default: openstacksdk's search path and "
                    "OS_CLIENT_CONFIG_FILE)."),
    cfg.FloatOpt("catalog_refresh_seconds", default=300.0, min=0.0,
                 help="How often the region list is re-read from the catalog."),
    cfg.IntOpt("max_parallel", default=16, min=1, help="Regions contacted at once."),
    cfg.FloatOpt("health_timeout", default=3.0, min=0.1,
                 help="Seconds an endpoint has to answer the health probe."),
    cfg.FloatOpt("health_cache_seconds", default=10.0, min=0.0,
                 help="How long a health probe result is reused."),
    cfg.FloatOpt("health_stale_seconds", default=60.0, min=0.0,
                 help="Up to this age, an older probe result is answered at once while the "
                      "region is probed again in the background (pages never wait for "
                      "probes in steady state); older results wait for a new probe. "
                      "Indicator rounds always probe afresh."),
]


def register_opts(conf):
    conf.register_opts(OPTS, group=GROUP)
