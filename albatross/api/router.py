"""Declarative routes: each names its method, path, policy, request schema and response
schema. The same table drives dispatch, validation and the OpenAPI document, so the document
cannot drift from what the code accepts."""
import dataclasses
import json
import re
from dataclasses import dataclass, field
from typing import Callable, Iterable

import webob

from albatross.api import authz, validation
from albatross.exceptions import AlbatrossError, Forbidden, NotFound
from albatross.services.caller import Caller

_PARAM = re.compile(r"{(\w+)}")


@dataclass(frozen=True)
class RawBody:
    """A handler's answer that is not JSON (e.g. a CSV export)."""
    content_type: str
    text: str


@dataclass(frozen=True)
class StreamBody:
    """An answer sent as it is produced (server-sent events: a live tail)."""
    content_type: str
    chunks: Iterable[bytes]


@dataclass
class Route:
    method: str
    path: str
    handler: Callable
    summary: str
    policy: str | None = None
    target: authz.Target = authz.CALLER   # the project `policy` is checked against
    requires: tuple = ()              # authz.When: further rules for requests that ask more
    grants: dict = field(default_factory=dict)  # name -> rule: what the handler may learn
    related: dict = field(default_factory=dict)  # object kind -> rule (req.authorize_related)
    body: dict | None = None
    query: dict = field(default_factory=dict)
    response: dict | None = None
    status: int = 200
    tags: tuple = ()
    public: bool = False
    path_params: dict = field(default_factory=dict)
    own_project: bool = False         # the URL's {project_id} must be the token's (Kingbird)
    content_type: str = "application/json"  # of a successful answer (the OpenAPI document)

    def __post_init__(self):
        pattern = _PARAM.sub(lambda m: f"(?P<{m.group(1)}>[^/]+)", self.path.rstrip("/"))
        self.regex = re.compile(f"^{pattern}/?$")


@dataclass
class ApiRequest:
    """What a handler gets: validated input, the caller, the runtime, and the policy check."""
    webob: webob.Request
    route: Route
    params: dict
    query: dict
    body: object
    caller: Caller | None
    rt: object
    enforcer: object
    grants: dict = field(default_factory=dict)   # the route's grants, evaluated

    def authorize(self) -> None:
        """The route's own rule, for a public route that also takes tokens (/metrics, log
        ingest) once its other credential was not given."""
        self.enforcer.authorize(self.route.policy, self.webob.environ,
                                self.caller.project_id if self.caller else None)

    def authorize_related(self, kind: str, project_id: str) -> None:
        """The rule the route relates to an object's kind (a job retry needs the rule of the
        work it repeats); an unknown kind needs an administrator."""
        self.enforcer.authorize(self.route.related.get(kind, "context_is_admin"),
                                self.webob.environ, project_id)


class Router:
    def __init__(self, routes: list[Route], rt, enforcer):
        self.routes = routes
        self.rt = rt
        self.enforcer = enforcer

    def match(self, method: str, path: str) -> tuple[Route, dict]:
        allowed = []
        for route in self.routes:
            m = route.regex.match(path)
            if m:
                if route.method == method:
                    return route, m.groupdict()
                allowed.append(route.method)
        if allowed:
            raise MethodNotAllowed(allowed)
        raise NotFound(f"no resource at {path}")

    def __call__(self, environ, start_response):
        req = webob.Request(environ)
        route, params = self.match(req.method, req.path_info)
        caller = environ.get("albatross.caller")
        checked = route.public or not route.policy
        if not route.public:
            if caller is None:
                raise Unauthorized("authentication required: send a valid X-Auth-Token")
            if route.own_project and params["project_id"] != caller.project_id:
                raise Forbidden("the project in the URL must be the project of your token",
                                field="project_id")
            if not checked and not route.target.needs_input:   # before reading any input
                self.enforcer.authorize(route.policy, environ,
                                        route.target.project(caller, params, {}, None))
                checked = True
        for name, schema in route.path_params.items():
            if not validation.is_valid(schema, params[name]):
                raise NotFound(f"no {name.replace('_', ' ')} {params[name]!r}", field=name)
        query = validation.parse_query(route.query, req.GET)
        body = None
        if route.body is not None:
            body = validation.parse_body(route.body, req)
        api_req = ApiRequest(req, route, params, query, body, caller, self.rt, self.enforcer)
        if caller is not None:
            api_req.caller = self._authorized(api_req, checked)
        result = route.handler(api_req)
        status, payload = (result if isinstance(result, tuple) else (route.status, result))
        if isinstance(payload, StreamBody):
            resp = webob.Response(status=status, content_type=payload.content_type,
                                  app_iter=payload.chunks)
            resp.headers["Cache-Control"] = "no-cache"
            return resp(environ, start_response)
        if isinstance(payload, RawBody):
            resp = webob.Response(status=status, charset="utf-8",
                                  content_type=payload.content_type)
            resp.body = payload.text.encode()
            return resp(environ, start_response)
        resp = webob.Response(status=status, charset="utf-8",
                              content_type="application/json")
        if status != 204:
            resp.body = json.dumps(payload).encode()
        return resp(environ, start_response)

    def _authorized(self, req: ApiRequest, checked: bool) -> Caller:
        """The rest of the route's declared authorization, once its input is valid; returns
        the caller bound to the route's rule (Caller.allows) for the objects services find."""
        route, environ = req.route, req.webob.environ
        if route.public and not route.policy:
            return req.caller
        target = route.target.project(req.caller, req.params, req.query, req.body)
        if not checked:
            self.enforcer.authorize(route.policy, environ, target)
        for rule in authz.all_when(route.requires, req):
            self.enforcer.authorize(rule, environ, target)
        req.grants = {name: self.enforcer.check(rule, environ, target)
                      for name, rule in route.grants.items()}
        if not route.policy:
            return req.caller
        return dataclasses.replace(req.caller, scope=lambda project_id: self.enforcer.check(
            route.policy, environ, project_id))


class Unauthorized(AlbatrossError):
    status, title = 401, "Unauthorized"


class MethodNotAllowed(AlbatrossError):
    status, title = 405, "Method Not Allowed"

    def __init__(self, allowed):
        super().__init__(f"method not allowed; this resource accepts {', '.join(allowed)}")
        self.allowed = allowed

