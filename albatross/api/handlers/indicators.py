import hmac

from albatross.api import authz
from albatross.api.policies import indicators as policies
from albatross.api.router import RawBody, Route, Unauthorized
from albatross.api.schemas import indicators as schemas
from albatross.exceptions import Forbidden
from albatross.indicators import catalog, prometheus
from albatross.services import indicators as indicator_service

_TAGS = ("indicators",)


def list_indicators(req):
    """Operators see every series; anyone else only their own project's per-project series
    (403 for an operator indicator or another project)."""
    q = req.query
    start, end, step = indicator_service.time_range(req.rt, q.get("start"), q.get("end"),
                                                    q.get("step"))
    name, project_id = q.get("name"), q.get("project_id")
    names = [name] if name else None
    if not req.grants["all"]:
        if name and catalog.admin_only(name):
            raise Forbidden(f"{name} is for operators; a project may read "
                            f"{', '.join(catalog.project_names())}", field="name")
        project_id = project_id or req.caller.project_id
        names = names or catalog.project_names()
    return indicator_service.query(req.rt, names=names, region=q.get("region"),
                                   project_id=project_id, start=start, end=end, step=step)


def summary(req):
    return indicator_service.summary(req.rt)


def _bearer_ok(req) -> bool:
    token = req.rt.conf.indicators.metrics_token
    scheme, _, given = req.webob.headers.get("Authorization", "").partition(" ")
    return bool(token) and scheme.lower() == "bearer" and \
        hmac.compare_digest(given.strip().encode(), token.encode())


def metrics(req):
    """Public to the router (Prometheus has no Keystone token): the static [indicators]
    metrics_token, or a token the policy allows."""
    if not _bearer_ok(req):
        if req.caller is None:
            raise Unauthorized("send an admin X-Auth-Token, or Authorization: Bearer with "
                               "the [indicators] metrics_token")
        req.authorize()
    return 200, RawBody(prometheus.CONTENT_TYPE, indicator_service.metrics_text(req.rt))


ROUTES = [
    Route("GET", "/v1/indicators", list_indicators,
          "Indicator series (filters; aggregated by step from the best resolution stored)",
          query=schemas.QUERY, response=schemas.SERIES_LIST, tags=_TAGS,
          policy=policies.PROJECT, target=authz.query("project_id"),
          grants={"all": policies.ALL}),
    Route("GET", "/v1/indicators/summary", summary,
          "Admin: total capacity, live utilization per region and overall, each region up "
          "or down and why", policy=policies.ALL, response=schemas.SUMMARY, tags=_TAGS),
    Route("GET", "/metrics", metrics,
          "The last value of every indicator in Prometheus text format (admin token or "
          "the static metrics token)", public=True, policy=policies.ALL, tags=_TAGS,
          response={"type": "string"}, content_type=prometheus.CONTENT_TYPE),
]
