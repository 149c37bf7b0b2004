"""Every answer a test gets from the API is held to its route's documented schema: the
route's response schema when it succeeded, the Error schema when it failed (functional tests
through webob, integration tests through requests)."""
from urllib.parse import urlsplit

from albatross.api.deploy import all_routes
from albatross.api.schemas.common import ERROR
from albatross.api.validation import problems

_ROUTES = all_routes()


def check(method: str, path: str, status: int, content_type: str, body) -> None:
    if not content_type.startswith("application/json") or status == 204 or body is None:
        return
    path = urlsplit(path).path
    route = next((r for r in _ROUTES if r.method == method and r.regex.match(path)), None)
    if route is None:
        return   # the dashboard's pages, and 404s for unknown paths
    schema = ERROR if status >= 400 else route.response
    if schema is not None:
        wrong = problems(schema, body)
        assert not wrong, (method, path, status, wrong[:3])


def check_requests(method: str, resp) -> None:
    """A requests.Response from a running server (a stream is left unread)."""
    content_type = resp.headers.get("Content-Type", "")
    if content_type.startswith("application/json") and resp.content:
        check(method.upper(), resp.request.path_url, resp.status_code, content_type,
              resp.json())
