"""[ui]: the web dashboard served under /ui by `albatross serve`."""
from oslo_config import cfg

GROUP = "ui"
OPTS = [
    cfg.BoolOpt("enabled", default=True, help="Serve the web dashboard under /ui."),
    cfg.URIOpt("keystone_url", default=None,
               help="Keystone the login form authenticates against (its /v3 URL or its root). "
                    "Default: [keystone_authtoken] www_authenticate_uri."),
    cfg.StrOpt("default_domain", default="Default",
               help="Domain name the login form starts with."),
    cfg.BoolOpt("secure_cookies", default=False,
                help="Mark the session cookie Secure even when the request came over plain "
                     "HTTP (behind a TLS-terminating proxy). Requests over HTTPS always get "
                     "Secure cookies."),
    cfg.ListOpt("allowed_origins", default=[],
                help="Origins (scheme://host[:port]) whose forms are accepted besides the "
                     "request's own Host: the public address when a proxy in front of "
                     "Albatross rewrites Host."),
    cfg.IntOpt("refresh_seconds", default=2, min=1,
               help="How often live parts of a page (jobs, tails, the overview) ask for news."),
    cfg.IntOpt("page_size", default=50, min=5, max=500, help="Rows per page of long lists."),
]


def register_opts(conf):
    conf.register_opts(OPTS, group=GROUP)
