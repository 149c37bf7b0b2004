"""Assembles the WSGI pipeline: errors and request ids -> auth_token -> caller -> router."""
from keystonemiddleware import auth_token

from albatross.api.handlers import (flavors, image_modes, images, jobs, keypairs, quotas,
                                    regions, secgroups, sync_policies, versions)
from albatross.api.handlers import addresses, events, logs, rollouts
from albatross.api.handlers import indicators
from albatross.api.handlers import image_matrix, work_items
from albatross.api.kingbird import quotas as kingbird_quotas
from albatross.api.kingbird import sync as kingbird_sync
from albatross.api.middleware import CallerFromToken, ErrorsAndRequestIds
from albatross.api.policy import PolicyEnforcer
from albatross.api.router import Route, Router
from albatross.api import openapi
from albatross.ui.deploy import with_dashboard


def all_routes() -> list[Route]:
    routes = (versions.ROUTES + regions.ROUTES + jobs.ROUTES + keypairs.ROUTES + flavors.ROUTES
              + secgroups.ROUTES + sync_policies.ROUTES + images.ROUTES + image_modes.ROUTES
              + rollouts.ROUTES + addresses.ROUTES + events.ROUTES + logs.ROUTES
              + indicators.ROUTES + image_matrix.ROUTES + work_items.ROUTES
              + quotas.ROUTES + kingbird_sync.ROUTES + kingbird_quotas.ROUTES)
    document = {}

    def get_openapi(req):
        return document

    routes.append(Route("GET", "/v1/openapi.json", get_openapi, "This OpenAPI document",
                        public=True, tags=("versions",), response={"type": "object"}))
    document.update(openapi.build(routes))
    return routes


def build_app(conf, runtime):
    """The WSGI application for `runtime` (config, job store, regions, dispatcher)."""
    enforcer = PolicyEnforcer(conf)
    app = Router(all_routes(), runtime, enforcer)
    app = CallerFromToken(app, enforcer)
    # delay_auth_decision: public routes (versions, OpenAPI) answer without a token; the
    # router refuses every other route when the token was not Confirmed.
    _authtoken_defaults(conf)
    app = auth_token.AuthProtocol(app, {"oslo_config_config": conf,
                                        "delay_auth_decision": True})
    app = ErrorsAndRequestIds(app, conf.api.max_request_body_bytes,
                              {"/v1/logs": conf.logs.max_body_bytes})
    return with_dashboard(conf, app)


def _authtoken_defaults(conf) -> None:
    """Albatross reads no service catalog from a validated token, so it does not ask for
    one: Keystone's answer would carry every region (megabytes at thousands of them).
    Operators may still set it."""
    for group, opts in auth_token.list_opts():
        conf.register_opts(opts, group=group)
    conf.set_default("include_service_catalog", False, group="keystone_authtoken")
