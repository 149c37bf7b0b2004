"""The WSGI layers around the router: JSON errors and request ids (outermost), a body size
limit, and the caller taken from what keystonemiddleware auth_token validated."""
import json
import logging

import webob
import webob.exc

from albatross.exceptions import AlbatrossError, PayloadTooLarge
from albatross import request_ids
from albatross.regions.delegation import DelegationLost
from albatross.services.caller import Caller

LOG = logging.getLogger(__name__)


def error_response(status: int, title: str, message: str, field=None, request_id=None,
                   headers=None) -> webob.Response:
    body = {"error": {"status": status, "title": title, "message": message}}
    if field:
        body["error"]["field"] = field
    if request_id:
        body["error"]["request_id"] = request_id
    resp = webob.Response(status=status, content_type="application/json", charset="utf-8",
                          body=json.dumps(body).encode())
    for k, v in (headers or {}).items():
        resp.headers[k] = v
    return resp


class ErrorsAndRequestIds:
    """Every answer is JSON, every request has an id, and nothing escapes as a bare 500.

    As oslo.middleware does: a client's X-OpenStack-Request-ID, if it is a well-formed
    req-<uuid> (anything else is ignored), is the request's global id; the local id is always
    new. The global id, else the local one, is what the regions' calls send."""

    def __init__(self, app, max_body_bytes: int, path_limits: dict[str, int] | None = None):
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.path_limits = path_limits or {}  # paths that take larger bodies (log batches)

    def __call__(self, environ, start_response):
        request_id = request_ids.new()
        environ["openstack.request_id"] = request_id
        global_id = request_ids.valid(environ.get("HTTP_X_OPENSTACK_REQUEST_ID"))
        if global_id:
            environ["openstack.global_request_id"] = global_id
        else:
            environ.pop("openstack.global_request_id", None)
        with request_ids.scope(global_id or request_id):
            return self._call(environ, start_response, request_id, global_id)

    def _call(self, environ, start_response, request_id, global_id):

        def start_with_id(status, headers, exc_info=None):
            headers = [h for h in headers if h[0].lower() != "x-openstack-request-id"]
            headers.append(("X-OpenStack-Request-Id", request_id))
            return start_response(status, headers, exc_info)

        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
            limit = self.path_limits.get(environ.get("PATH_INFO", "").rstrip("/"),
                                         self.max_body_bytes)
            if length > limit:
                raise PayloadTooLarge(f"request body of {length} bytes is larger than the "
                                      f"limit of {limit}", field="(body)")
            return self.app(environ, start_with_id)
        except AlbatrossError as exc:
            headers = {}
            if exc.status == 401:
                headers["WWW-Authenticate"] = 'Keystone uri="(see the catalog)"'
            if exc.status == 405:
                headers["Allow"] = ", ".join(getattr(exc, "allowed", []))
            resp = error_response(exc.status, exc.title, exc.message, exc.field, request_id,
                                  headers)
        except DelegationLost as exc:  # the request's own token was refused for delegation
            resp = error_response(403, "Forbidden", str(exc), request_id=request_id)
        except webob.exc.HTTPException as exc:
            resp = error_response(exc.code, exc.title, exc.explanation or exc.title,
                                  request_id=request_id)
        except ValueError as exc:  # malformed query string, headers, etc.
            resp = error_response(400, "Bad Request", f"malformed request: {exc}",
                                  request_id=request_id)
        except Exception:
            LOG.exception("unhandled error in %s %s (%s%s)", environ.get("REQUEST_METHOD"),
                          environ.get("PATH_INFO"), request_id,
                          f", global {global_id}" if global_id else "")
            resp = error_response(500, "Internal Server Error",
                                  "the server failed; the request id is in its log",
                                  request_id=request_id)
        return resp(environ, start_with_id)


class CallerFromToken:
    """auth_token (delay_auth_decision) validated the token and set X-* headers; turn them into
    a Caller. Unauthenticated requests go on without one: public routes don't need it."""

    def __init__(self, app, enforcer):
        self.app = app
        self.enforcer = enforcer

    def __call__(self, environ, start_response):
        if environ.get("HTTP_X_IDENTITY_STATUS") == "Confirmed" and \
                environ.get("HTTP_X_PROJECT_ID"):
            roles = tuple(r.strip() for r in environ.get("HTTP_X_ROLES", "").split(",")
                          if r.strip())
            environ["albatross.caller"] = Caller(
                user_id=environ.get("HTTP_X_USER_ID", ""),
                project_id=environ["HTTP_X_PROJECT_ID"], roles=roles,
                is_admin=self.enforcer.is_admin(environ),
                request_id=environ.get("openstack.request_id"),
                global_request_id=environ.get("openstack.global_request_id"),
                token=environ.get("HTTP_X_AUTH_TOKEN"))
        else:
            environ.pop("albatross.caller", None)
        return self.app(environ, start_response)
