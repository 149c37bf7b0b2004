"""[logs]: shipped service logs: who may ship them, how much, and for how long they are kept."""
from oslo_config import cfg

GROUP = "logs"
OPTS = [
    cfg.IntOpt("retention_days", default=14, min=1,
               help="Log lines older than this (by their own time) are purged."),
    cfg.IntOpt("purge_interval", default=3600, min=0,
               help="Seconds between purges of expired lines (0: never purge)."),
    cfg.ListOpt("shippers", default=[], secret=True,
                help="Log shippers' credentials, NAME:REGION:TOKEN each: a shipper sends "
                     "POST /v1/logs with Authorization: Bearer TOKEN, and only lines of "
                     "REGION (* for any) are taken from it. One per host or region, so that "
                     "one leaked token cannot speak for the others."),
    cfg.StrOpt("ingest_token", secret=True,
               help="One shared bearer token for every shipper, trusted for any region "
                    "(prefer [logs] shippers). Unset: shippers and admin tokens only."),
    cfg.IntOpt("max_lines_per_minute", default=60000, min=1,
               help="Lines one shipper (or admin user) may send per minute; more: 429."),
    cfg.IntOpt("max_body_bytes", default=8 * 1024 * 1024, min=1024,
               help="Largest POST /v1/logs body (after gzip decompression); the general "
                    "[api] max_request_body_bytes does not apply to it."),
    cfg.IntOpt("max_batch_lines", default=10000, min=1,
               help="Most lines in one POST /v1/logs."),
    cfg.IntOpt("max_streams", default=2, min=0,
               help="Live log tails (GET /v1/logs/stream) open at once, within the streams "
                    "[api] max_streams allows in all."),
    cfg.IntOpt("stream_seconds", default=600, min=10,
               help="A live tail ends after this long; clients reconnect with "
                    "Last-Event-ID and miss nothing."),
]


def register_opts(conf):
    conf.register_opts(OPTS, group=GROUP)
