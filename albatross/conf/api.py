"""[api]: where the HTTP API listens and how much input it accepts."""
from oslo_config import cfg

GROUP = "api"
OPTS = [
    cfg.HostAddressOpt("bind_host", default="127.0.0.1", help="Address the API listens on."),
    cfg.PortOpt("bind_port", default=8118,
                help="Port the API listens on (8118 is Kingbird's, so its clients find us)."),
    cfg.IntOpt("threads", default=8, min=1, help="HTTP worker threads of `albatross serve`."),
    cfg.IntOpt("max_request_body_bytes", default=262144, min=1024,
               help="Larger request bodies are refused with 413 before they are parsed."),
]


def register_opts(conf):
    conf.register_opts(OPTS, group=GROUP)
