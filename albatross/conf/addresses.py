"""[addresses]: how current the global address view is kept."""
from oslo_config import cfg

GROUP = "addresses"
OPTS = [
    cfg.IntOpt("refresh_interval", default=60, min=0,
               help="Seconds between incremental reads (Neutron's changed_since) of the "
                    "address inventory of every project that has been looked at or has a "
                    "plan (0: only on demand)."),
    cfg.IntOpt("full_refresh_interval", default=900, min=60,
               help="Seconds between full reads, which also notice deleted objects."),
    cfg.IntOpt("min_read_interval", default=10, min=0,
               help="A project's addresses are read from the regions on request at most this "
                    "often: a smaller max_age counts as this, and POST .../refresh within it "
                    "answers 429 (allocation always reads live)."),
]


def register_opts(conf):
    conf.register_opts(OPTS, group=GROUP)
