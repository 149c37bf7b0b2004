"""/<region>/placement/... as that region's Placement: its one compute node, that node's
inventory and its usages (what the region's servers take), in the shape of the microversion
asked for, as Placement answers."""
import http
import re

from aiohttp import web

from albatross.regionsim.errors import ApiError
from albatross.regionsim.simulator import answer, region_of
from albatross.regionsim.versions import PLACEMENT_MAX

P = "/{region}/placement/resource_providers"
routes = web.RouteTableDef()

# the provider links and fields each microversion added
LINKS = ((1, "aggregates"), (6, "traits"), (11, "allocations"))
NESTED = 14


def error(exc: ApiError) -> web.Response:
    return answer(exc.status, {"errors": [{"status": exc.status,
                                           "title": http.HTTPStatus(exc.status).phrase,
                                           "detail": exc.message}]})


def _microversion(request) -> int:
    """The minor version the request asks for (Placement's header; 1.0 without one)."""
    asked = request.headers.get("OpenStack-API-Version", "").strip()
    top = int(PLACEMENT_MAX.split(".")[1])
    if not asked:
        return 0
    if asked == "placement latest":
        return top
    match = re.fullmatch(r"placement 1\.(\d+)", asked)
    if match is None:
        raise ApiError(400, f"invalid version string: {asked}")
    if int(match[1]) > top:
        raise ApiError(406, f"Unacceptable version header: {asked.split()[1]}")
    return int(match[1])


def _answer(request, body: dict) -> web.Response:
    resp = answer(200, body)
    resp.headers["OpenStack-API-Version"] = f"placement 1.{_microversion(request)}"
    resp.headers["Vary"] = "openstack-api-version"
    return resp


def _provider(request, uuid: str | None = None) -> tuple:
    region = region_of(request)
    rp = region.servers.provider(region.name)
    if uuid is not None and uuid != rp["uuid"]:
        raise ApiError(404, f"No resource provider with uuid {uuid} found")
    return region.servers, rp


@routes.get(P)
async def providers(request):
    minor = _microversion(request)
    _servers, rp = _provider(request)
    href = f"/resource_providers/{rp['uuid']}"
    links = [("self", href), ("inventories", f"{href}/inventories"),
             ("usages", f"{href}/usages")] + [(rel, f"{href}/{rel}") for since, rel in LINKS
                                              if minor >= since]

    rp = {**rp, "links": [{"rel": rel, "href": h} for rel, h in links]}
    if minor >= NESTED:
        rp.update(parent_provider_uuid=None, root_provider_uuid=rp["uuid"])
    return _answer(request, {"resource_providers": [rp]})


@routes.get(P + "/{uuid}/inventories")
async def inventories(request):
    servers, rp = _provider(request, request.match_info["uuid"])
    return _answer(request, {"resource_provider_generation": rp["generation"],
                             "inventories": servers.inventories()})


@routes.get(P + "/{uuid}/usages")
async def usages(request):
    servers, rp = _provider(request, request.match_info["uuid"])
    return _answer(request, {"resource_provider_generation": rp["generation"],
                             "usages": servers.usages()})
