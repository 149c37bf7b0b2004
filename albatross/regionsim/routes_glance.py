"""/<region>/image/v2/... as that region's Glance. Image data streams through in chunks, each
held until the region's link (its `bandwidth_mbps` knob) has carried it; an upload that
breaks leaves the image queued, as Glance does."""
import html
import http

from aiohttp import web

from albatross.regionsim.errors import ApiError
from albatross.regionsim.glance import shown
from albatross.regionsim.simulator import answer, paced, region_of

I = "/{region}/image/v2/images"
routes = web.RouteTableDef()
CHUNK = 64 * 1024   # the pacing's grain


def error(exc: ApiError) -> web.Response:
    """Glance's (webob's) HTML error page."""
    title = f"{exc.status} {http.HTTPStatus(exc.status).phrase}"
    page = (f"<html>\n <head>\n  <title>{title}</title>\n </head>\n <body>\n  <h1>{title}</h1>"
            f"\n  {html.escape(exc.message)}<br /><br />\n\n\n\n </body>\n</html>")
    return web.Response(status=exc.status, text=page, content_type="text/html")


def _view(request, img: dict) -> dict:
    return shown(img, img["id"] in region_of(request).images.data)


@routes.get(I)
async def image_list(request):
    body = region_of(request).images.listing(list(request.query.items()))
    return answer(200, {**body, "images": [_view(request, i) for i in body["images"]]})


@routes.post(I)
async def image_create(request):
    body = await request.json()
    if not isinstance(body, dict):
        raise ApiError(400, "Body expected in request.")
    img = region_of(request).images.create(body)
    return web.json_response(_view(request, img), status=201, headers={
        "Location": f"{request.scheme}://{request.host}{request.path}/{img['id']}"})


@routes.get(I + "/{id}")
async def image_get(request):
    return answer(200, _view(request, region_of(request).images.get(request.match_info["id"])))


@routes.patch(I + "/{id}")
async def image_update(request):
    img = region_of(request).images.update(request.match_info["id"], request.content_type,
                                           await request.json())
    return answer(200, _view(request, img))


@routes.delete(I + "/{id}")
async def image_delete(request):
    region_of(request).images.delete(request.match_info["id"])
    return web.Response(status=204)


@routes.put(I + "/{id}/file")
async def upload(request):
    images, image_id = region_of(request).images, request.match_info["id"]
    received = images.begin_upload(image_id)
    try:
        async for chunk in request.content.iter_chunked(CHUNK):
            await paced(request, images.inbound, len(chunk))
            received.add(chunk)
    except BaseException as exc:
        images.abort_upload(image_id)
        if isinstance(exc, ConnectionError):    # the client went: no one reads this answer
            raise ApiError(400, "The upload broke off.") from None
        raise
    images.finish_upload(image_id, received)
    return web.Response(status=204)


@routes.get(I + "/{id}/file")
async def download(request):
    images, image_id = region_of(request).images, request.match_info["id"]
    chunks = images.chunks(image_id)
    if chunks is None:
        return web.Response(status=204)
    img = images.get(image_id)
    resp = web.StreamResponse(headers={"Content-Type": "application/octet-stream",
                                       "Content-MD5": img["checksum"],
                                       "Content-Length": str(img["size"])})
    await resp.prepare(request)
    for chunk in chunks:
        view = memoryview(chunk)
        for at in range(0, len(view), CHUNK):
            await paced(request, images.outbound, len(view[at:at + CHUNK]))
            await resp.write(view[at:at + CHUNK])
    await resp.write_eof()
    return resp


@routes.put(I + "/{id}/tags/{tag}")
async def tag_add(request):
    region_of(request).images.add_tag(request.match_info["id"], request.match_info["tag"])
    return web.Response(status=204)


@routes.delete(I + "/{id}/tags/{tag}")
async def tag_remove(request):
    region_of(request).images.remove_tag(request.match_info["id"], request.match_info["tag"])
    return web.Response(status=204)


@routes.post(I + "/{id}/members")
async def member_add(request):
    body = await request.json()
    return answer(200, region_of(request).images.add_member(request.match_info["id"],
                                                            str(body.get("member", ""))))


@routes.get(I + "/{id}/members/{member}")
async def member_get(request):
    return answer(200, region_of(request).images.member(request.match_info["id"],
                                                        request.match_info["member"]))
