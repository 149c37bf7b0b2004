"""The simulator's HTTP side (aiohttp): /<region>/<service>/... answers as that region's Nova
(compute), Cinder (volume), Neutron (network), Glance (image) and Placement (placement), each
after the region's round-trip time, failing at its error rate, and not at all while it is
down (the connection is dropped, as a region that is gone). /_sim/regions sets and shows the
knobs. Tokens are not checked: they come from the real Keystone, and what is simulated is the
regions, not their auth. The routes of each service are in routes_<service>.py."""
import asyncio
import dataclasses
import json
import random

from aiohttp import web

from albatross.regionsim import (routes_cinder, routes_glance, routes_neutron, routes_nova,
                                 routes_placement, versions)
from albatross.regionsim.errors import ApiError
from albatross.regionsim.simulator import SIM, Knobs, Simulator, answer

# a service's path segment -> how it writes an error
ERRORS = {"compute": routes_nova.error, "volume": routes_nova.error,
          "network": routes_neutron.error, "image": routes_glance.error,
          "placement": routes_placement.error}


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
            return answer(500, {"error": "simulated failure"})
    try:
        try:
            return await handler(request)
        except json.JSONDecodeError:
            raise ApiError(400, "Malformed JSON in request body.") from None
    except ApiError as exc:
        return ERRORS[request.path.split("/")[2]](exc)


# ---- the knobs -----------------------------------------------------------------------------
async def knobs_list(request):
    sim: Simulator = request.app[SIM]
    return answer(200, {"requests": sim.requests, "regions": {
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
            f.name: changes[f.name] for f in dataclasses.fields(Knobs) if f.name in changes})
    return answer(200, {"regions": {n: dataclasses.asdict(sim.knobs[n]) for n in names}})


async def seed(request):
    """PUT /_sim/seed {"from": REGION}: every other region takes that region's keypairs and
    security groups (bench/scale.py: audits of regions already in step)."""
    sim: Simulator = request.app[SIM]
    source = sim.regions.get((await request.json()).get("from", ""))
    if source is None:
        raise web.HTTPNotFound(text="no such simulated region")
    for region in sim.regions.values():
        if region is not source:
            region.copy_from(source)
    return answer(200, {"seeded": len(sim.regions) - 1})


def build(sim: Simulator) -> web.Application:
    app = web.Application(middlewares=[_as_the_region_is])
    app[SIM] = sim
    app.add_routes([web.get("/_sim/regions", knobs_list),
                    web.put("/_sim/regions/{region}", knobs_set),
                    web.put("/_sim/seed", seed),
                    *versions.routes(), *routes_nova.routes, *routes_cinder.routes,
                    *routes_neutron.routes, *routes_glance.routes, *routes_placement.routes])
    return app


def serve(names: list[str], host: str, port: int, rtt_ms: float = 0.0) -> None:
    web.run_app(build(Simulator(names, rtt_ms)), host=host, port=port, print=None)
