"""/<region>/network/v2.0/... as that region's Neutron: quotas, security groups and rules, the
address inventory (networks, subnets, ports; floating IPs and routers listed empty)."""
from aiohttp import web

from albatross.regionsim.errors import ApiError
from albatross.regionsim.simulator import answer, nothing_listed, region_of
from albatross.regionsim.state import Region

N = "/{region}/network/v2.0"
routes = web.RouteTableDef()


def error(exc: ApiError) -> web.Response:
    kind = {400: "BadRequest", 404: "NotFound", 409: "Conflict"}.get(exc.status, "Error")
    return answer(exc.status, {"NeutronError": {"type": kind, "message": exc.message,
                                                "detail": ""}})


def _project_filter(request) -> str | None:
    return request.query.get("project_id") or request.query.get("tenant_id")


# ---- quotas --------------------------------------------------------------------------------
@routes.get(N + "/quotas/{project}")
@routes.get(N + "/quotas/{project}/details")
async def quota(request):
    usage = request.path.endswith("/details")
    values = region_of(request).quota("network", request.match_info["project"], usage)
    if usage:
        values = {n: {k: v[k] for k in ("limit", "used", "reserved")}
                  for n, v in values.items()}
    return answer(200, {"quota": values})


@routes.put(N + "/quotas/{project}")
async def quota_update(request):
    body = (await request.json()).get("quota") or {}
    return answer(200, {"quota": region_of(request).set_limits(
        "network", request.match_info["project"], body)})


# ---- security groups -------------------------------------------------------------------------
@routes.get(N + "/security-groups")
async def group_list(request):
    return answer(200, {"security_groups": region_of(request).groups_of(
        _project_filter(request))})


@routes.get(N + "/security-groups/{id}")
async def group_get(request):
    return answer(200, {"security_group": region_of(request).group_get(
        request.match_info["id"])})


@routes.post(N + "/security-groups")
async def group_create(request):
    body = (await request.json()).get("security_group") or {}
    return answer(201, {"security_group": region_of(request).group_create(body)})


@routes.put(N + "/security-groups/{id}")
async def group_update(request):
    body = (await request.json()).get("security_group") or {}
    return answer(200, {"security_group": region_of(request).group_update(
        request.match_info["id"], body)})


@routes.put(N + "/security-groups/{id}/tags")
async def group_tags(request):
    tags = (await request.json()).get("tags") or []
    return answer(200, {"tags": region_of(request).group_set_tags(request.match_info["id"],
                                                                  tags)})


@routes.post(N + "/security-group-rules")
async def rules_create(request):
    region = region_of(request)
    body = await request.json()
    if "security_group_rules" in body:
        return answer(201, {"security_group_rules": region.rules_create(
            body["security_group_rules"])})
    [rule] = region.rules_create([body.get("security_group_rule") or {}])
    return answer(201, {"security_group_rule": rule})


@routes.get(N + "/address-groups")
async def address_groups(request):
    """No address-group extension here (Albatross copes: a region without it)."""
    raise ApiError(404, "The resource could not be found.")


# ---- listings (the address inventory), creations and deletions -----------------------------
def _fields(request, rows: list[dict]) -> list[dict]:
    wanted = request.query.getall("fields", [])
    return [{k: v for k, v in r.items() if k in wanted} for r in rows] if wanted else rows


def _lister(kind: str):
    async def listing(request):
        return answer(200, {kind: _fields(request, region_of(request).listed(
            kind, _project_filter(request), request.query.get("changed_since")))})
    return listing


def _creator(kind: str, create):
    async def creating(request):
        body = (await request.json()).get(kind) or {}
        return answer(201, {kind: create(region_of(request), body)})
    return creating


def _deleter(delete):
    async def deleting(request):
        delete(region_of(request), request.match_info["id"])
        return web.Response(status=204)
    return deleting


for _kind, _create in (("network", Region.network_create), ("subnet", Region.subnet_create),
                       ("port", Region.port_create)):
    routes.get(f"{N}/{_kind}s")(_lister(f"{_kind}s"))
    routes.post(f"{N}/{_kind}s")(_creator(_kind, _create))
routes.delete(N + "/security-groups/{id}")(_deleter(Region.group_delete))
routes.delete(N + "/security-group-rules/{id}")(_deleter(Region.rule_delete))
routes.get(N + "/floatingips")(nothing_listed)
routes.get(N + "/routers")(nothing_listed)
