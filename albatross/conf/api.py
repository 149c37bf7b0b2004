"""[api]: where the HTTP API listens and how much input it accepts."""
from oslo_config import cfg

GROUP = "api"
OPTS = [
    cfg.HostAddressOpt("bind_host", default="127.0.0.1", help="Address the API listens on."),
    cfg.PortOpt("bind_port", default=8118,
                help="Port the API listens on (8118 is Kingbird's, so its clients find us)."),
    cfg.IntOpt("threads", default=8, min=1, help="HTTP worker threads of `albatross serve`."),
    cfg.IntOpt("max_request_body_bytes", default=262144, min=1024,
               help="Larger request bodies are refused with 413 before they are read (the "
                    "HTTP server itself refuses anything over the largest limit, [logs] "
                    "max_body_bytes included, before buffering it)."),
    cfg.IntOpt("max_streams", default=8, min=0,
               help="Live streams (events and logs tails) open at once in one server. Each "
                    "has a thread of its own on top of [api] threads, so a full set of "
                    "streams never slows the API or the dashboard."),
    cfg.IntOpt("max_streams_per_user", default=2, min=1,
               help="Live streams one user may hold open at once (more: 429)."),
    cfg.IntOpt("stream_seconds", default=900, min=10,
               help="A live stream ends after this long; clients reconnect (with "
                    "Last-Event-ID) and miss nothing."),
    cfg.IntOpt("stream_token_check_seconds", default=60, min=1,
               help="How often a live stream checks its token with Keystone again; a revoked "
                    "or expired token ends the stream."),
]


def register_opts(conf):
    conf.register_opts(OPTS, group=GROUP)
