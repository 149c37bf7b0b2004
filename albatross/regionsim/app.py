"""The simulator's HTTP side (aiohttp): /<region>/compute/v2.1/... answers as that region's
Nova, /<region>/network/v2.0/... as its Neutron, each after the region's round-trip time,
failing at its error rate, and not at all while it is down (the connection is dropped, as a
region that is gone). /_sim/regions sets and shows the knobs. Tokens are not checked: they
come from the real Keystone, and what is simulated is the regions, not their auth."""
import asyncio
import dataclasses
import random

from aiohttp import web

from albatross.regionsim.state import ApiError, Region

SIM = web.AppKey("sim", "Simulator")


@dataclasses.dataclass
class Knobs:
    rtt_ms: float = 0.0
    error_rate: float = 0.0
    down: bool = False


class Simulator:
    def __init__(self, names: list[str], rtt_ms: float = 0.0):
        self.regions = {n: Region(n) for n in names}
        self.knobs = {n: Knobs(rtt_ms=rtt_ms) for n in names}
        self.requests = 0

    def region(self, request) -> Region:
        name = request.match_info["region"]
        if name not in self.regions:
            raise web.HTTPNotFound(text=f"no simulated region {name}")
        return self.regions[name]


def _json(status: int, body) -> web.Response:
    return web.json_response(body, status=status)


def _nova_error(exc: ApiError) -> web.Response:
    kind = {400: "badRequest", 404: "itemNotFound", 409: "conflictingRequest"}.get(
        exc.status, "computeFault")
    return _json(exc.status, {kind: {"code": exc.status, "message": exc.message}})


def _neutron_error(exc: ApiError) -> web.Response:
    kind = {400: "BadRequest", 404: "NotFound", 409: "Conflict"}.get(exc.status, "Error")
    return _json(exc.status, {"NeutronError": {"type": kind, "message": exc.message,
                                               "detail": ""}})


@web.middleware
async def _as_the_region_is(request, handler):
    sim: Simulator = request.app[SIM]
    name = request.match_info.get("region")
    knobs = sim.knobs.get(name) if name else None
    if knobs is not None:
        sim.requests += 1
        if knobs.down:
            request.transport.close()       # as a region that is gone: no answer at all
            raise asyncio.CancelledError
        if knobs.rtt_ms:
            await asyncio.sleep(knobs.rtt_ms / 1000)
        if knobs.error_rate and random.random() < knobs.error_rate:
            return _json(500, {"error": "simulated failure"})
    try:
        return await handler(request)
    except ApiError as exc:
        is_nova = "/compute/" in request.path or "/volume/" in request.path
        return _nova_error(exc) if is_nova else _neutron_error(exc)


# ---- version documents ---------------------------------------------------------------------
# a microversioned service's path -> (version id, its path, max and min microversion, updated,
# the status the root listing answers with), as the dev cloud's Nova and Cinder answer
MICROVERSIONED = {"compute": ("v2.1", "v2.1", "2.96", "2.1", "2013-07-23T11:33:21Z", 200),
                  "volume": ("v3.0", "v3", "3.71", "3.0", "2023-08-31T00:00:00Z", 300)}


def _version(request, service: str) -> dict:
    vid, path, top, low, updated, _status = MICROVERSIONED[service]
    base = f"{request.scheme}://{request.host}/{request.match_info['region']}/{service}"
    return {"id": vid, "status": "CURRENT", "version": top, "min_version": low,
            "updated": updated, "links": [{"rel": "self", "href": f"{base}/{path}/"}]}


def _version_routes(service: str) -> list:
    async def listing(request):
        return _json(MICROVERSIONED[service][5], {"versions": [_version(request, service)]})

    async def one(request):
        return _json(200, {"version": _version(request, service)})
    root, path = f"/{{region}}/{service}", MICROVERSIONED[service][1]
    return [web.get(root, listing), web.get(root + "/", listing),
            web.get(f"{root}/{path}", one), web.get(f"{root}/{path}/", one)]


async def network_versions(request):
    base = f"{request.scheme}://{request.host}/{request.match_info['region']}/network"
    return _json(200, {"versions": [{"id": "v2.0", "status": "CURRENT",
                                     "links": [{"rel": "self", "href": f"{base}/v2.0/"}]}]})


# ---- Nova ----------------------------------------------------------------------------------
def _user(request) -> str:
    return request.query.get("user_id") or request.headers.get("X-User-Id", "")


async def keypair_list(request):
    region = request.app[SIM].region(request)
    return _json(200, {"keypairs": [{"keypair": kp} for kp in region.keypair_list(
        _user(request))]})


async def keypair_get(request):
    region = request.app[SIM].region(request)
    return _json(200, {"keypair": region.keypair_get(_user(request),
                                                     request.match_info["name"])})


async def keypair_create(request):
    region = request.app[SIM].region(request)
    body = (await request.json()).get("keypair") or {}
    kp = region.keypair_create(body.get("user_id") or _user(request), body)
    return _json(200, {"keypair": kp})


async def keypair_delete(request):
    region = request.app[SIM].region(request)
    region.keypair_delete(_user(request), request.match_info["name"])
    return web.Response(status=202)


# ---- quotas --------------------------------------------------------------------------------
def _quota_set(request, service: str, usage: bool):
    region = request.app[SIM].region(request)
    project = request.match_info["project"]
    return {"quota_set": {"id": project, **region.quota(service, project, usage)}}


async def compute_quota(request):
    return _json(200, _quota_set(request, "compute", False))


async def compute_quota_detail(request):
    return _json(200, _quota_set(request, "compute", True))


async def volume_quota(request):
    usage = request.query.get("usage", "").lower() == "true"
    return _json(200, _quota_set(request, "volume", usage))


async def quota_set_update(request, service: str):
    region = request.app[SIM].region(request)
    body = (await request.json()).get("quota_set") or {}
    return _json(200, {"quota_set": region.set_limits(service, request.match_info["project"],
                                                      body)})


async def compute_quota_update(request):
    return await quota_set_update(request, "compute")


async def volume_quota_update(request):
    return await quota_set_update(request, "volume")


async def network_quota(request):
    region = request.app[SIM].region(request)
    usage = request.path.endswith("/details")
    values = region.quota("network", request.match_info["project"], usage)
    if usage:
        values = {n: {k: v[k] for k in ("limit", "used", "reserved")}
                  for n, v in values.items()}
    return _json(200, {"quota": values})


async def network_quota_update(request):
    region = request.app[SIM].region(request)
    body = (await request.json()).get("quota") or {}
    return _json(200, {"quota": region.set_limits("network", request.match_info["project"],
                                                  body)})


# ---- Neutron -------------------------------------------------------------------------------
def _project_filter(request) -> str | None:
    return request.query.get("project_id") or request.query.get("tenant_id")


async def group_list(request):
    region = request.app[SIM].region(request)
    return _json(200, {"security_groups": region.groups_of(_project_filter(request))})


async def group_get(request):
    region = request.app[SIM].region(request)
    return _json(200, {"security_group": region.group_get(request.match_info["id"])})


async def group_create(request):
    region = request.app[SIM].region(request)
    body = (await request.json()).get("security_group") or {}
    return _json(201, {"security_group": region.group_create(body)})


async def group_update(request):
    region = request.app[SIM].region(request)
    body = (await request.json()).get("security_group") or {}
    return _json(200, {"security_group": region.group_update(request.match_info["id"], body)})


async def group_tags(request):
    region = request.app[SIM].region(request)
    tags = (await request.json()).get("tags") or []
    return _json(200, {"tags": region.group_set_tags(request.match_info["id"], tags)})


async def group_delete(request):
    request.app[SIM].region(request).group_delete(request.match_info["id"])
    return web.Response(status=204)


async def rules_create(request):
    region = request.app[SIM].region(request)
    body = await request.json()
    if "security_group_rules" in body:
        return _json(201, {"security_group_rules": region.rules_create(
            body["security_group_rules"])})
    [rule] = region.rules_create([body.get("security_group_rule") or {}])
    return _json(201, {"security_group_rule": rule})


async def rule_delete(request):
    request.app[SIM].region(request).rule_delete(request.match_info["id"])
    return web.Response(status=204)


def _fields(request, rows: list[dict]) -> list[dict]:
    wanted = request.query.getall("fields", [])
    return [{k: v for k, v in r.items() if k in wanted} for r in rows] if wanted else rows


def _lister(kind: str):
    async def listing(request):
        region = request.app[SIM].region(request)
        return _json(200, {kind: _fields(request, region.listed(
            kind, _project_filter(request), request.query.get("changed_since")))})
    return listing


def _creator(kind: str, create):
    async def creating(request):
        region = request.app[SIM].region(request)
        body = (await request.json()).get(kind) or {}
        return _json(201, {kind: create(region, body)})
    return creating


async def nothing_listed(request):
    """Floating IPs and routers: none are simulated yet (an empty listing, as a project
    without any)."""
    request.app[SIM].region(request)
    return _json(200, {request.path.rsplit("/", 1)[-1]: []})


async def address_groups(request):
    """No address-group extension here (Albatross copes: a region without it)."""
    raise ApiError(404, "The resource could not be found.")


# ---- the knobs -----------------------------------------------------------------------------
async def knobs_list(request):
    sim: Simulator = request.app[SIM]
    return _json(200, {"requests": sim.requests, "regions": {
        n: dataclasses.asdict(k) for n, k in sim.knobs.items()}})


async def knobs_set(request):
    sim: Simulator = request.app[SIM]
    names = list(sim.knobs) if request.match_info["region"] == "*" else \
        [request.match_info["region"]]
    changes = await request.json()
    for name in names:
        if name not in sim.knobs:
            raise web.HTTPNotFound(text=f"no simulated region {name}")
        sim.knobs[name] = dataclasses.replace(sim.knobs[name], **{
            k: changes[k] for k in ("rtt_ms", "error_rate", "down") if k in changes})
    return _json(200, {"regions": {n: dataclasses.asdict(sim.knobs[n]) for n in names}})


def build(sim: Simulator) -> web.Application:
    app = web.Application(middlewares=[_as_the_region_is])
    app[SIM] = sim
    c, n, v = "/{region}/compute", "/{region}/network", "/{region}/volume"
    app.add_routes([
        web.get("/_sim/regions", knobs_list),
        web.put("/_sim/regions/{region}", knobs_set),
        *_version_routes("compute"), *_version_routes("volume"),
        web.get(c + "/v2.1/os-keypairs", keypair_list),
        web.post(c + "/v2.1/os-keypairs", keypair_create),
        web.get(c + "/v2.1/os-keypairs/{name}", keypair_get),
        web.delete(c + "/v2.1/os-keypairs/{name}", keypair_delete),
        web.get(c + "/v2.1/os-quota-sets/{project}", compute_quota),
        web.get(c + "/v2.1/os-quota-sets/{project}/detail", compute_quota_detail),
        web.put(c + "/v2.1/os-quota-sets/{project}", compute_quota_update),
        web.get(v + "/v3/{tenant}/os-quota-sets/{project}", volume_quota),
        web.put(v + "/v3/{tenant}/os-quota-sets/{project}", volume_quota_update),
        web.get(n, network_versions), web.get(n + "/", network_versions),
        web.get(n + "/v2.0/quotas/{project}", network_quota),
        web.get(n + "/v2.0/quotas/{project}/details", network_quota),
        web.put(n + "/v2.0/quotas/{project}", network_quota_update),
        web.get(n + "/v2.0/security-groups", group_list),
        web.post(n + "/v2.0/security-groups", group_create),
        web.get(n + "/v2.0/security-groups/{id}", group_get),
        web.put(n + "/v2.0/security-groups/{id}", group_update),
        web.delete(n + "/v2.0/security-groups/{id}", group_delete),
        web.put(n + "/v2.0/security-groups/{id}/tags", group_tags),
        web.post(n + "/v2.0/security-group-rules", rules_create),
        web.delete(n + "/v2.0/security-group-rules/{id}", rule_delete),
        web.get(n + "/v2.0/address-groups", address_groups),
        web.get(n + "/v2.0/networks", _lister("networks")),
        web.post(n + "/v2.0/networks", _creator("network", Region.network_create)),
        web.get(n + "/v2.0/subnets", _lister("subnets")),
        web.post(n + "/v2.0/subnets", _creator("subnet", Region.subnet_create)),
        web.get(n + "/v2.0/ports", _lister("ports")),
        web.post(n + "/v2.0/ports", _creator("port", Region.port_create)),
        web.get(n + "/v2.0/floatingips", nothing_listed),
        web.get(n + "/v2.0/routers", nothing_listed),
    ])
    return app


def serve(names: list[str], host: str, port: int, rtt_ms: float = 0.0) -> None:
    web.run_app(build(Simulator(names, rtt_ms)), host=host, port=port, print=None)
