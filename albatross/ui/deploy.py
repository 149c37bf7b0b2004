"""Mounts the dashboard beside the API: /ui goes to the dashboard, everything else to the API.
The dashboard calls the API's own pipeline in-process with the session's token."""
import logging

import webob

from albatross.ui.app import PREFIX, Dashboard
from albatross.ui.keystone import Keystone, LoginFailed
from albatross.ui.pages import all_routes

LOG = logging.getLogger(__name__)
NO_KEYSTONE = ("The dashboard has no Keystone to log in with: set [ui] keystone_url or "
               "[keystone_authtoken] www_authenticate_uri.")


class MountDashboard:
    def __init__(self, api_app, dashboard, max_body_bytes: int):
        self.api_app = api_app
        self.dashboard = dashboard
        self.max_body_bytes = max_body_bytes

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        if path == PREFIX or path.startswith(PREFIX + "/"):
            try:
                length = int(environ.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = self.max_body_bytes + 1
            if length > self.max_body_bytes:
                resp = webob.Response(status=413, content_type="text/plain",
                                      text="The form is larger than the server accepts.")
                Dashboard.secure(webob.Request(environ), resp)
                return resp(environ, start_response)
            return self.dashboard(environ, start_response)
        return self.api_app(environ, start_response)


def keystone_url(conf) -> str | None:
    return conf.ui.keystone_url or conf.keystone_authtoken.www_authenticate_uri


class NoKeystone:
    """Neither URL is configured: the API still serves, the login form says why it fails."""

    def login(self, **kwargs):
        raise LoginFailed(NO_KEYSTONE)

    def scope(self, *args, **kwargs):
        raise LoginFailed(NO_KEYSTONE)


def with_dashboard(conf, api_app):
    if not conf.ui.enabled:
        return api_app
    url = keystone_url(conf)
    if not url:
        LOG.warning(NO_KEYSTONE)
    keystone = Keystone(url) if url else NoKeystone()
    dashboard = Dashboard(conf, api_app, all_routes(), keystone)
    return MountDashboard(api_app, dashboard, conf.api.max_request_body_bytes)
