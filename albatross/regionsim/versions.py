"""Every simulated service's version documents, as the dev cloud's services answer them: what
keystoneauth's discovery reads, and what Albatross's health probe GETs without a token (the
endpoint with its version segment removed: /<region>/compute/, /<region>/volume/,
/<region>/network, /<region>/image, /<region>/placement)."""
from aiohttp import web

from albatross.regionsim.simulator import answer, region_of

# a microversioned service's path -> (version id, its path, max and min microversion, updated,
# the status the root listing answers with), as the dev cloud's Nova and Cinder answer
MICROVERSIONED = {"compute": ("v2.1", "v2.1", "2.96", "2.1", "2013-07-23T11:33:21Z", 200),
                  "volume": ("v3.0", "v3", "3.71", "3.0", "2023-08-31T00:00:00Z", 300)}
# Glance 33's image API versions (every one at /v2/), the first current
GLANCE = ("2.17", "2.15", *(f"2.{i}" for i in range(13, -1, -1)))
PLACEMENT_MAX = "1.39"


def _base(request, service: str) -> str:
    return f"{request.scheme}://{request.host}/{request.match_info['region']}/{service}"


def _version(request, service: str) -> dict:
    vid, path, top, low, updated, _status = MICROVERSIONED[service]
    return {"id": vid, "status": "CURRENT", "version": top, "min_version": low,
            "updated": updated,
            "links": [{"rel": "self", "href": f"{_base(request, service)}/{path}/"}]}


def _microversioned(service: str) -> list:
    async def listing(request):
        region_of(request)
        return answer(MICROVERSIONED[service][5], {"versions": [_version(request, service)]})

    async def one(request):
        region_of(request)
        return answer(200, {"version": _version(request, service)})
    root, path = f"/{{region}}/{service}", MICROVERSIONED[service][1]
    return [web.get(root, listing), web.get(root + "/", listing),
            web.get(f"{root}/{path}", one), web.get(f"{root}/{path}/", one)]


async def network(request):
    region_of(request)
    return answer(200, {"versions": [{"id": "v2.0", "status": "CURRENT", "links": [
        {"rel": "self", "href": f"{_base(request, 'network')}/v2.0/"}]}]})


def _image(status: int):
    async def versions(request):
        region_of(request)
        href = f"{_base(request, 'image')}/v2/"
        return answer(status, {"versions": [
            {"id": f"v{v}", "status": "SUPPORTED" if i else "CURRENT",
             "links": [{"rel": "self", "href": href}]} for i, v in enumerate(GLANCE)]})
    return versions


async def placement(request):
    region_of(request)
    resp = answer(200, {"versions": [{"id": "v1.0", "max_version": PLACEMENT_MAX,
                                      "min_version": "1.0", "status": "CURRENT",
                                      "links": [{"rel": "self", "href": ""}]}]})
    resp.headers["OpenStack-API-Version"] = "placement 1.0"
    return resp


def routes() -> list:
    n, i, p = "/{region}/network", "/{region}/image", "/{region}/placement"
    return [*_microversioned("compute"), *_microversioned("volume"),
            web.get(n, network), web.get(n + "/", network),
            web.get(i, _image(300)), web.get(i + "/", _image(300)),
            web.get(i + "/versions", _image(200)),
            web.get(p, placement), web.get(p + "/", placement)]
