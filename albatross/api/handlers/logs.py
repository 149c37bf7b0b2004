"""Service logs: shippers POST batches (with their own [logs] shippers token, bound to a
region, so that a shipper needs no Keystone account; or an admin Keystone token); admins
search and tail them."""
import zlib

from albatross.api import streams
from albatross.api.router import Route, StreamBody, Unauthorized
from albatross.api.schemas import logs as schemas
from albatross.exceptions import BadRequest, PayloadTooLarge
from albatross.logs.shippers import Shipper, identify
from albatross.services import logs as log_service


def _shipper(req) -> Shipper | None:
    """The shipper of the bearer token, if the request has one of theirs."""
    scheme, _, given = req.webob.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not given.strip():
        return None
    return identify(req.rt.conf, given.strip())


def _body(req) -> bytes:
    """The body, gunzipped if the shipper compressed it, never larger than the limit."""
    limit = req.rt.conf.logs.max_body_bytes
    body = req.webob.body_file.read(limit + 1)
    encoding = req.webob.headers.get("Content-Encoding", "identity").strip().lower()
    if encoding == "gzip":
        try:
            body = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(body, limit + 1)
        except zlib.error as exc:
            raise BadRequest(f"the body is not valid gzip: {exc}", field="Content-Encoding")
    elif encoding != "identity":
        raise BadRequest(f"Content-Encoding {encoding} is not supported (gzip is)",
                         field="Content-Encoding")
    if len(body) > limit:
        raise PayloadTooLarge(f"log batches are limited to {limit} bytes; send smaller "
                              "batches", field="(body)")
    return body


def ingest(req):
    shipper = _shipper(req)
    if shipper is None:
        if req.caller is None:
            raise Unauthorized("send an admin X-Auth-Token, or Authorization: Bearer with a "
                               "shipper's token ([logs] shippers)")
        req.authorize()
        shipper = Shipper(f"user {req.caller.user_id}")
    return log_service.ingest(req.rt, _body(req), shipper)


def search(req):
    return log_service.search(req.rt, req.query)


def stream(req):
    f = log_service.filters(req.query)
    return 200, StreamBody("text/event-stream", streams.bounded(
        req.rt, req.caller, lambda: log_service.open_tail(
            req.rt, f, req.webob.headers.get("Last-Event-ID"))))


_TAGS = ("logs",)

ROUTES = [
    # public for the router: the handler takes a shipper token or an admin Keystone token
    Route("POST", "/v1/logs", ingest,
          "Ship log lines: JSON lines or a JSON array (gzip allowed); a 400 names the "
          "rejected lines and says how many of the others were stored",
          policy="albatross:logs:ingest", public=True, response=schemas.INGESTED,
          tags=_TAGS),
    Route("GET", "/v1/logs", search,
          "Admin: service log lines of every region, newest first (filters, full text, "
          "request id, cursor pages)", policy="albatross:logs:get", query=schemas.QUERY,
          response=schemas.PAGE, tags=_TAGS),
    Route("GET", "/v1/logs/stream", stream,
          "Admin: live tail of matching log lines (server-sent events; Last-Event-ID "
          "resumes)", policy="albatross:logs:get", query=schemas.STREAM_QUERY,
          response={"type": "string"}, tags=_TAGS, content_type="text/event-stream"),
]
