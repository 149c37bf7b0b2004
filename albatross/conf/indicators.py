"""[indicators]: how often every region is read, how long the series are kept, and the
token Prometheus scrapes /metrics with (docs/indicators.md)."""
from oslo_config import cfg

GROUP = "indicators"
OPTS = [
    cfg.IntOpt("collect_interval", default=60, min=0,
               help="Seconds between collection rounds (health, Placement capacity and "
                    "usage, object counts, per-project usage and headroom in every region; "
                    "0: never). With several processes, one of them collects each round."),
    cfg.StrOpt("raw_retention", default="2d",
               help="How long raw samples are kept (30s, 5m, 1h, 2d, 1w). Older ones are "
                    "dropped once the first rollup level holds them."),
    cfg.ListOpt("rollups", default=["5m:30d", "1h:400d"],
                help="Rollup levels as STEP:RETENTION, finest first: per-step average, "
                     "minimum and maximum kept that long. Each step is a multiple of the "
                     "one before; each retention is longer. Empty: raw samples only."),
    cfg.StrOpt("metrics_token", secret=True, default=None,
               help="A static bearer token that may read /metrics (for Prometheus: "
                    "`authorization: {credentials: ...}` in the scrape config). Without it, "
                    "only an admin Keystone token may."),
]


def register_opts(conf):
    conf.register_opts(OPTS, group=GROUP)
