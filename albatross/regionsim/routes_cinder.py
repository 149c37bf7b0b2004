"""/<region>/volume/v3/<project>/... as that region's Cinder: os-quota-sets (Nova's shape) and
the volume listing Albatross counts (no volumes are simulated: it is empty)."""
from aiohttp import web

from albatross.regionsim.routes_nova import quota_set, quota_set_update
from albatross.regionsim.simulator import nothing_listed

V = "/{region}/volume/v3/{tenant}"
routes = web.RouteTableDef()


@routes.get(V + "/os-quota-sets/{project}")
async def volume_quota(request):
    return quota_set(request, "volume", request.query.get("usage", "").lower() == "true")


@routes.put(V + "/os-quota-sets/{project}")
async def volume_quota_update(request):
    return await quota_set_update(request, "volume")


routes.get(V + "/volumes")(nothing_listed)
