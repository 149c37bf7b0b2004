"""Declarative routes: each names its method, path, policy, request schema and response
schema. The same table drives dispatch, validation and the OpenAPI document, so the document
cannot drift from what the code accepts."""
import json
import re
from dataclasses import dataclass, field
from typing import Callable, Iterable

import webob

from albatross.api import validation
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
    body: dict | None = None
    query: dict = field(default_factory=dict)
    response: dict | None = None
    status: int = 200
    tags: tuple = ()
    public: bool = False
    path_params: dict = field(default_factory=dict)
    own_project: bool = False         # the URL's {project_id} must be the token's (Kingbird)
    target_param: str | None = None   # path parameter naming the project acted upon
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

    def authorize(self, rule: str, target_project: str | None = None) -> None:
        self.enforcer.authorize(rule, self.webob.environ, target_project)


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
        if not route.public:
            if caller is None:
                raise Unauthorized("authentication required: send a valid X-Auth-Token")
            if route.own_project and params["project_id"] != caller.project_id:
                raise Forbidden("the project in the URL must be the project of your token",
                                field="project_id")
            if route.policy:
                target = params[route.target_param] if route.target_param \
                    else caller.project_id
                self.enforcer.authorize(route.policy, environ, target)
        for name, schema in route.path_params.items():
            if not validation.is_valid(schema, params[name]):
                raise NotFound(f"no {name.replace('_', ' ')} {params[name]!r}", field=name)
        query = validation.parse_query(route.query, req.GET)
        body = None
        if route.body is not None:
            body = validation.parse_body(route.body, req)
        result = route.handler(ApiRequest(req, route, params, query, body, caller, self.rt,
                                          self.enforcer))
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


class Unauthorized(AlbatrossError):
    status, title = 401, "Unauthorized"


class MethodNotAllowed(AlbatrossError):
    status, title = 405, "Method Not Allowed"

    def __init__(self, allowed):
        super().__init__(f"method not allowed; this resource accepts {', '.join(allowed)}")
        self.allowed = allowed

