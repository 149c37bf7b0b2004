"""The dashboard is a client of Albatross's own REST API: every read and action goes through
the same WSGI pipeline (auth_token, policy, validation, tenant scoping) as any other client,
in-process, with the session's token. The UI can therefore never show or do more than the
API allows the user."""
import json
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlencode

import webob


class ApiError(Exception):
    def __init__(self, status: int, message: str, field: str | None = None):
        super().__init__(message)
        self.status, self.message, self.field = status, message, field


_POOL = ThreadPoolExecutor(max_workers=16, thread_name_prefix="ui-api")


def query_string(params: dict | None) -> str:
    """Drops empty values: an empty filter box means no filter."""
    clean = {k: v for k, v in (params or {}).items() if v not in (None, "", [])}
    return ("?" + urlencode(clean, doseq=True)) if clean else ""


class Api:
    def __init__(self, app, token: str, request_id: str | None = None):
        self.app = app
        self.token = token
        self.request_id = request_id

    def call(self, method: str, path: str, params: dict | None = None, body=None,
             raw: bool = False):
        """The decoded JSON answer (None for 204), or ApiError with the API's own message."""
        headers = {"X-Auth-Token": self.token, "Accept": "application/json"}
        if self.request_id:
            headers["X-OpenStack-Request-Id"] = self.request_id
        req = webob.Request.blank(path + query_string(params), method=method, headers=headers)
        if body is not None:
            req.content_type = "application/json"
            req.body = json.dumps(body).encode()
        resp = req.get_response(self.app)
        if resp.status_code >= 400:
            try:
                err = resp.json["error"]
                raise ApiError(resp.status_code, err.get("message", resp.status),
                               err.get("field"))
            except (ValueError, KeyError, TypeError):
                raise ApiError(resp.status_code, resp.status)
        if raw:
            return resp.text
        return resp.json if resp.body else None

    def get(self, path: str, **params):
        return self.call("GET", path, params)

    def post(self, path: str, body=None):
        return self.call("POST", path, body=body if body is not None else {})

    def put(self, path: str, body):
        return self.call("PUT", path, body=body)

    def delete(self, path: str, **params):
        return self.call("DELETE", path, params)

    def gather(self, **calls):
        """Several GETs at once: {name: (path, params)} -> {name: answer or ApiError}. A page
        made of many reads costs its slowest read, not their sum."""
        futures = {name: _POOL.submit(self.get, path, **(params or {}))
                   for name, (path, params) in calls.items()}
        out = {}
        for name, future in futures.items():
            try:
                out[name] = future.result()
            except ApiError as exc:
                out[name] = exc
        return out
