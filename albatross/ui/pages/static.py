"""The dashboard's own CSS and JavaScript, served by Albatross (no CDN, no build step)."""
import mimetypes
import os

import webob

from albatross.ui.app import PREFIX, PageError, get

STATIC = os.path.join(os.path.dirname(os.path.dirname(__file__)), "static")


def static_file(page):
    name = page.params["name"]
    path = os.path.join(STATIC, name)
    if "/" in name or name.startswith(".") or not os.path.isfile(path):
        raise PageError(404, "There is no such file.")
    with open(path, "rb") as f:
        body = f.read()
    kind = mimetypes.guess_type(name)[0] or "application/octet-stream"
    resp = webob.Response(body=body, content_type=kind)
    if kind.startswith("text/") or kind.endswith("javascript"):
        resp.charset = "utf-8"
    resp.cache_control = "public, max-age=3600"
    resp.md5_etag()
    resp.conditional_response = True
    return resp


ROUTES = [get(PREFIX + "/static/{name}", static_file, public=True)]
