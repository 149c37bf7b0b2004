"""The OpenAPI 3.1 document, built from the route table (the same schemas that validate)."""
from albatross.api.router import Route
from albatross.api.schemas.common import ERROR

_REASONS = {200: "OK", 202: "Accepted", 204: "No Content", 400: "Bad request (names the field)",
            401: "No valid token", 403: "Not allowed by policy", 404: "Not found",
            405: "Method not allowed", 406: "Not acceptable (Kingbird: job in progress)",
            409: "Conflict", 413: "Body too large", 503: "A region did not answer"}


def _operation(route: Route) -> dict:
    op: dict = {"summary": route.summary, "operationId": f"{route.method.lower()}"
                f"{route.path.replace('/', '_').replace('{', '').replace('}', '')}",
                "tags": list(route.tags)}
    params = [{"name": n, "in": "path", "required": True, "schema": s}
              for n, s in route.path_params.items()]
    params += [{"name": n, "in": "query", "required": False, "schema": s}
               for n, s in route.query.items()]
    if params:
        op["parameters"] = params
    if route.body is not None:
        op["requestBody"] = {"required": True, "content": {
            "application/json": {"schema": route.body}}}
    ok: dict = {"description": _REASONS.get(route.status, "OK")}
    if route.response is not None and route.status != 204:
        ok["content"] = {route.content_type: {"schema": route.response}}
    responses = {str(route.status): ok}
    errors = [400, 404, 405, 409, 413]
    checks_token = not route.public or route.policy  # public with a policy: the handler checks
    if checks_token:
        errors += [401, 403, 503]
    if route.path.startswith("/v1.0/"):
        errors.append(406)
    for code in sorted(errors):
        responses[str(code)] = {"description": _REASONS[code], "content": {
            "application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
    op["responses"] = responses
    if checks_token:
        op["security"] = [{"keystone": []}]
    if route.policy:
        op["x-policy"] = _policy(route)
    return op


def _policy(route: Route) -> dict:
    """The route's authorization as the route table declares it (policy.yaml overrides the
    rules by these names)."""
    target = route.target
    out: dict = {"rule": route.policy,
                 "target": "the token's project" if target.source == "caller"
                 else f"{target.source} {target.name} (else the token's project)"}
    if route.requires:
        out["requires"] = [{"rule": w.rule, "when": w.describes} for w in route.requires]
    if route.grants:
        out["grants"] = dict(route.grants)
    if route.related:
        out["related"] = dict(route.related)
    return out


def build(routes: list[Route]) -> dict:
    paths: dict = {}
    for route in routes:
        paths.setdefault(route.path, {})[route.method.lower()] = _operation(route)
    return {
        "openapi": "3.1.0",
        "info": {"title": "Albatross", "version": "1.0",
                 "description": "One API over many OpenStack regions."},
        "paths": paths,
        "components": {
            "schemas": {"Error": ERROR},
            "securitySchemes": {"keystone": {"type": "apiKey", "in": "header",
                                             "name": "X-Auth-Token"}},
        },
    }
