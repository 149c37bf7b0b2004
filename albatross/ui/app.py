"""The dashboard's WSGI application under /ui: sessions, CSRF, routing to the page modules,
error pages. Pages read and act only through the API (`backend.Api`)."""
import hmac
import logging
import re
import secrets
import uuid
from dataclasses import dataclass, field
from typing import Callable
from urllib.parse import quote, unquote, urlsplit

import webob

from albatross.db.ui_sessions import UiSession, UiSessionStore
from albatross.ui import render
from albatross.ui.backend import Api, ApiError

LOG = logging.getLogger(__name__)
SESSION_COOKIE = "albatross_session"
LOGIN_CSRF_COOKIE = "albatross_login_csrf"
FLASH_COOKIE = "albatross_flash"
PREFIX = "/ui"
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'; "
       "object-src 'none'")
_PARAM = re.compile(r"{(\w+)}")
REFUSED = (400, 404, 409)   # an action the API refused: back to the form with its reason
# the roles the API's default write rules accept: "admin or project member"
# (albatross/api/policies/base.py; a reader's rule is "role:reader" and nothing more)
WRITE_ROLES = frozenset({"admin", "member"})


class PageError(Exception):
    """Ends a page with an error page of this status."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status, self.message = status, message


@dataclass
class UiRoute:
    method: str
    path: str
    handler: Callable
    public: bool = False   # login and static files: no session needed
    csrf: bool = True      # POSTs check the session's CSRF token (login checks its own)

    def __post_init__(self):
        # ids and names only: a path parameter goes into an API path, so "?", "%" or "/"
        # in it would change what the API is asked
        pattern = _PARAM.sub(lambda m: f"(?P<{m.group(1)}>[A-Za-z0-9._~-]+)",
                             self.path.rstrip("/"))
        self.regex = re.compile(f"^{pattern}/?$")


def get(path, handler, **kw):
    return UiRoute("GET", path, handler, **kw)


def post(path, handler, **kw):
    return UiRoute("POST", path, handler, **kw)


@dataclass
class Page:
    """What a page handler gets: the request, the session and an API client for its token."""
    req: webob.Request
    ui: "Dashboard"
    params: dict
    session: UiSession | None = None
    api: Api | None = None
    cookies: list = field(default_factory=list)  # (name, value, kwargs) to set on the answer

    @property
    def project_id(self) -> str:
        return self.session.project_id

    @property
    def is_admin(self) -> bool:
        return bool(self.session and self.session.is_admin)

    @property
    def can_write(self) -> bool:
        """Whether to show the forms that change something: the session has a role the
        API's default write rules accept (admin, or member of the project). This only decides
        what the page shows; the API still decides what is allowed (an operator's policy file
        may say otherwise, and a refused action is still the API's 403)."""
        if not self.session:
            return False
        return bool(self.session.is_admin or WRITE_ROLES & set(self.session.roles or ()))

    @property
    def fragment(self) -> bool:
        """A live part of the page asks for its own news (see albatross.js)."""
        return self.req.headers.get("X-Albatross-Fragment") == "1"

    def arg(self, name: str, default: str = "") -> str:
        return self.req.GET.get(name, default).strip()

    def form(self, name: str, default: str = "") -> str:
        return self.req.POST.get(name, default).strip()

    def form_list(self, name: str) -> list[str]:
        return [v.strip() for v in self.req.POST.getall(name) if v.strip()]

    def render(self, template: str, status: int = 200, partial: str | None = None,
               **context) -> webob.Response:
        name = partial if (partial and self.fragment) else template
        csrf = render.CURRENT_CSRF.set(self.session.csrf if self.session else "")
        try:
            html = self.ui.env.get_template(name).render(page=self, session=self.session,
                                                          flash=self._take_flash(), **context)
        finally:
            render.CURRENT_CSRF.reset(csrf)
        resp = webob.Response(status=status, content_type="text/html", charset="utf-8")
        resp.text = html
        return resp

    def flash(self, message: str, kind: str = "ok") -> None:
        self.cookies.append((FLASH_COOKIE, quote(f"{kind}:{message}"[:600]), {}))

    def _take_flash(self):
        raw = self.req.cookies.get(FLASH_COOKIE)
        if not raw or self.fragment or any(c[0] == FLASH_COOKIE for c in self.cookies):
            return None
        self.cookies.append((FLASH_COOKIE, "", {"max_age": 0}))
        kind, _, text = unquote(raw).partition(":")
        return {"kind": kind if kind in ("ok", "error") else "ok", "text": text}

    def redirect(self, location: str) -> webob.Response:
        """303 to a page of the dashboard (never elsewhere: `next` fields are checked)."""
        return webob.Response(status=303, location=safe_next(location))

    def done(self, location: str, message: str) -> webob.Response:
        self.flash(message)
        return self.redirect(location)

    def act(self, back: str, call, message, job_page: bool = True,
            refused: tuple = REFUSED) -> webob.Response:
        """Run an API action. Refused (400/404/409): back to `back` with the API's reason.
        Done: to the job page when the answer names a job (and `job_page`), else back;
        `message` is the flash text or a function of the answer."""
        try:
            answer = call()
        except ApiError as exc:
            if exc.status in refused:
                return self.failed(back, exc)
            raise
        job = (answer or {}).get("job") if job_page else None
        text = message(answer) if callable(message) else message
        return self.done(f"{PREFIX}/jobs/{job['id']}" if job else back, text)

    def failed(self, location: str, exc: ApiError) -> webob.Response:
        """A refused action (400, 409, ...): back to its page with the API's reason."""
        where = f" ({exc.field})" if exc.field else ""
        self.flash(f"{exc.message}{where}", "error")
        return self.redirect(location)


def same_secret(sent: str, expected: str) -> bool:
    """Constant-time; bytes, since compare_digest raises on non-ASCII text (a 500, not 403)."""
    return bool(sent and expected) and hmac.compare_digest(sent.encode(), expected.encode())


def same_host(origin: str, host: str) -> bool:
    """The Origin's host and port are the request's Host (a default port written or not)."""
    def plain(netloc: str, scheme: str = "") -> str:
        netloc = netloc.lower()
        for s, port in (("http", ":80"), ("https", ":443")):
            if netloc.endswith(port) and scheme in ("", s):
                return netloc[:-len(port)]
        return netloc
    parts = urlsplit(origin)
    return bool(parts.netloc) and plain(parts.netloc, parts.scheme) == plain(host)


def safe_next(location: str) -> str:
    location = location or ""
    parts = urlsplit(location)
    if (parts.scheme or parts.netloc or not parts.path.startswith(PREFIX)
            or any(ord(c) < 32 or ord(c) == 127 for c in location)):
        # control characters: urlsplit drops tabs and newlines before it parses, and a
        # Location header cannot carry them (webob raises: a 500 after a good login)
        return PREFIX + "/"
    return location


class Dashboard:
    def __init__(self, conf, api_app, routes: list[UiRoute], keystone):
        self.conf = conf
        self.api_app = api_app
        self.routes = routes
        self.keystone = keystone
        self.sessions = UiSessionStore(conf.database.connection)
        self.env = render.make_env()
        self.env.globals.update(refresh_ms=conf.ui.refresh_seconds * 1000,
                                default_domain=conf.ui.default_domain)

    def __call__(self, environ, start_response):
        # the dashboard is mounted outside the API's ErrorsAndRequestIds: its own id
        request_id = environ.setdefault("openstack.request_id", f"req-{uuid.uuid4()}")
        req = webob.Request(environ)
        try:
            resp = self.dispatch(req)
        except PageError as exc:
            resp = self.error_page(req, exc.status, exc.message)
        except Exception:
            LOG.exception("dashboard page %s %s failed (%s)", req.method, req.path,
                          request_id)
            resp = self.error_page(req, 500, f"The page failed; its request id in the "
                                             f"server's log is {request_id}.")
        resp.headers["X-OpenStack-Request-Id"] = request_id
        self.secure(req, resp)
        return resp(environ, start_response)

    def match(self, req) -> tuple[UiRoute, dict]:
        allowed = False
        for route in self.routes:
            m = route.regex.match(req.path_info)
            if m:
                if route.method == req.method or (route.method == "GET"
                                                   and req.method == "HEAD"):
                    return route, m.groupdict()
                allowed = True
        if allowed:
            raise PageError(405, "This page does not take that method.")
        raise PageError(404, "There is no such page.")

    def dispatch(self, req) -> webob.Response:
        route, params = self.match(req)
        page = Page(req, self, params)
        if not route.public:
            key = req.cookies.get(SESSION_COOKIE)
            page.session = self.sessions.load(key) if key else None
            if page.session is None:
                return self.to_login(req, expired=bool(key))
            page.api = Api(self.api_app, page.session.token,
                           req.environ.get("openstack.request_id"))
            if req.method == "POST" and route.csrf:
                self.check_csrf(req, page.session.csrf)
        try:
            resp = route.handler(page)
        except ApiError as exc:
            if exc.status == 401:  # the token expired or was revoked: the session ends
                self.sessions.delete(req.cookies.get(SESSION_COOKIE, ""))
                return self.to_login(req, expired=True)
            status = exc.status if exc.status < 500 else 502
            resp = self.error_page(req, status, exc.message, page.session)
        for name, value, kwargs in page.cookies:
            self.set_cookie(req, resp, name, value, **kwargs)
        return resp

    def check_csrf(self, req, expected: str) -> None:
        origin = req.headers.get("Origin")
        if origin and origin != "null" and not same_host(origin, req.host) \
                and origin.rstrip("/").lower() not in {
                    o.rstrip("/").lower() for o in self.conf.ui.allowed_origins}:
            raise PageError(403, "The form came from another site and was refused.")
        sent = req.POST.get("csrf_token", "") or req.headers.get("X-CSRF-Token", "")
        if not same_secret(sent, expected):
            raise PageError(403, "The form was refused: its CSRF token is missing or wrong. "
                                 "Reload the page and try again.")

    def to_login(self, req, expired: bool = False) -> webob.Response:
        if req.headers.get("X-Albatross-Fragment") == "1":
            return webob.Response(status=401, content_type="text/plain",
                                  text="session ended")
        target = PREFIX + "/login"
        if req.method == "GET" and req.path_info not in (PREFIX + "/login",):
            target += "?next=" + quote(req.path_qs, safe="")
        if expired:
            target += ("&" if "?" in target else "?") + "expired=1"
        resp = webob.Response(status=303, location=target)
        if expired:
            resp.delete_cookie(SESSION_COOKIE, path=PREFIX)
        return resp

    def error_page(self, req, status: int, message: str, session=None) -> webob.Response:
        if req.headers.get("X-Albatross-Fragment") == "1":
            resp = webob.Response(status=status, content_type="text/plain", charset="utf-8")
            resp.text = message
            return resp
        page = Page(req, self, {}, session=session)
        return page.render("error.html", status=status, status_code=status, message=message)

    def set_cookie(self, req, resp, name: str, value: str, **kwargs) -> None:
        """Secure when configured, or when the browser came over TLS: directly, or through a
        TLS-terminating proxy that says so (trusting the header can only add the flag)."""
        tls = req.scheme == "https" or \
            req.headers.get("X-Forwarded-Proto", "").split(",")[0].strip().lower() == "https"
        resp.set_cookie(name, value, path=PREFIX, httponly=True, samesite="Strict",
                        secure=tls or self.conf.ui.secure_cookies, **kwargs)

    @staticmethod
    def secure(req, resp) -> None:
        resp.headers.setdefault("Content-Security-Policy", CSP)
        resp.headers["X-Frame-Options"] = "DENY"
        resp.headers["X-Content-Type-Options"] = "nosniff"
        resp.headers["Referrer-Policy"] = "no-referrer"
        if not req.path_info.startswith(PREFIX + "/static/"):
            resp.headers["Cache-Control"] = "no-store"

    def new_session_key(self) -> str:
        return secrets.token_urlsafe(32)
