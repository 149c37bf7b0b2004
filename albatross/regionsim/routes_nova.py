"""/<region>/compute/v2.1/... as that region's Nova: keypairs, os-quota-sets, servers."""
from aiohttp import web

from albatross.regionsim.errors import ApiError
from albatross.regionsim.simulator import answer, region_of

C = "/{region}/compute/v2.1"
routes = web.RouteTableDef()


def error(exc: ApiError) -> web.Response:
    """Nova's error body (Cinder's is the same)."""
    kind = {400: "badRequest", 404: "itemNotFound", 409: "conflictingRequest"}.get(
        exc.status, "computeFault")
    return answer(exc.status, {kind: {"code": exc.status, "message": exc.message}})


def _user(request) -> str:
    return request.query.get("user_id") or request.headers.get("X-User-Id", "")


# ---- keypairs ------------------------------------------------------------------------------
@routes.get(C + "/os-keypairs")
async def keypair_list(request):
    return answer(200, {"keypairs": [{"keypair": kp} for kp in region_of(request).keypair_list(
        _user(request))]})


@routes.get(C + "/os-keypairs/{name}")
async def keypair_get(request):
    return answer(200, {"keypair": region_of(request).keypair_get(_user(request),
                                                                  request.match_info["name"])})


@routes.post(C + "/os-keypairs")
async def keypair_create(request):
    body = (await request.json()).get("keypair") or {}
    kp = region_of(request).keypair_create(body.get("user_id") or _user(request), body)
    return answer(200, {"keypair": kp})


@routes.delete(C + "/os-keypairs/{name}")
async def keypair_delete(request):
    region_of(request).keypair_delete(_user(request), request.match_info["name"])
    return web.Response(status=202)


# ---- os-quota-sets (Cinder's are the same) ---------------------------------------------------
def quota_set(request, service: str, usage: bool) -> web.Response:
    project = request.match_info["project"]
    return answer(200, {"quota_set": {"id": project, **region_of(request).quota(
        service, project, usage)}})


async def quota_set_update(request, service: str) -> web.Response:
    body = (await request.json()).get("quota_set") or {}
    return answer(200, {"quota_set": region_of(request).set_limits(
        service, request.match_info["project"], body)})


@routes.get(C + "/os-quota-sets/{project}")
async def compute_quota(request):
    return quota_set(request, "compute", False)


@routes.get(C + "/os-quota-sets/{project}/detail")
async def compute_quota_detail(request):
    return quota_set(request, "compute", True)


@routes.put(C + "/os-quota-sets/{project}")
async def compute_quota_update(request):
    return await quota_set_update(request, "compute")


# ---- servers (made ACTIVE at once: what is read of them is their count and flavor) ---------
def _links(request, server_id: str) -> list:
    base = f"{request.scheme}://{request.host}/{request.match_info['region']}/compute/v2.1"
    return [{"rel": "self", "href": f"{base}/servers/{server_id}"}]


@routes.post(C + "/servers")
async def server_create(request):
    """The server's project is the X-Project-Id header's (tokens are not read here), as the
    keypairs' user is X-User-Id's."""
    body = (await request.json()).get("server") or {}
    server = region_of(request).servers.create(
        body, request.headers.get("X-Project-Id", ""), _user(request))
    links = _links(request, server["id"])
    return web.json_response({"server": {
        "id": server["id"], "links": links, "OS-DCF:diskConfig": "MANUAL",
        "security_groups": [{"name": "default"}], "adminPass": "simulated"}},
        status=202, headers={"Location": links[0]["href"]})


@routes.get(C + "/servers")
async def server_list(request):
    return answer(200, {"servers": [{"id": s["id"], "name": s["name"],
                                     "links": _links(request, s["id"])}
                                    for s in region_of(request).servers.rows.values()]})


@routes.get(C + "/servers/detail")
async def server_list_detail(request):
    return answer(200, {"servers": [{**s, "links": _links(request, s["id"])}
                                    for s in region_of(request).servers.rows.values()]})


@routes.get(C + "/servers/{id}")
async def server_get(request):
    server = region_of(request).servers.get(request.match_info["id"])
    return answer(200, {"server": {**server, "links": _links(request, server["id"])}})


@routes.delete(C + "/servers/{id}")
async def server_delete(request):
    region_of(request).servers.delete(request.match_info["id"])
    return web.Response(status=204)
