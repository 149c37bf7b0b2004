"""The simulated regions and their knobs, and what every service's routes share: the region a
request is for, a JSON answer, the pace of a region's link."""
import asyncio
import dataclasses

from aiohttp import web

from albatross.regionsim.glance import Link
from albatross.regionsim.state import Region

SIM = web.AppKey("sim", "Simulator")


@dataclasses.dataclass
class Knobs:
    rtt_ms: float = 0.0
    error_rate: float = 0.0
    down: bool = False
    bandwidth_mbps: float = 0.0    # image data in and out, each way; 0: unlimited


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


def region_of(request) -> Region:
    return request.app[SIM].region(request)


def answer(status: int, body) -> web.Response:
    return web.json_response(body, status=status)


async def paced(request, link: Link, nbytes: int) -> None:
    """Hold a chunk of image data until the region's link has carried it."""
    knobs = request.app[SIM].knobs[request.match_info["region"]]
    delay = link.delay(nbytes, knobs.bandwidth_mbps, asyncio.get_running_loop().time())
    if delay > 0:
        await asyncio.sleep(delay)


async def nothing_listed(request):
    """Kinds not simulated yet (floating IPs, routers, volumes): an empty listing, as a
    region without any."""
    region_of(request)
    return answer(200, {request.path.rsplit("/", 1)[-1]: []})
