"""Helpers for the dashboard's functional tests: sessions created straight in the session store
with tokens the keystonemiddleware fixture accepts (no Keystone login), requests with the
session cookie, and what Set-Cookie said."""
import datetime
import re
import secrets
from dataclasses import dataclass
from types import SimpleNamespace
from urllib.parse import parse_qs, urlencode, urlsplit

import webob

from albatross.db.models import utcnow
from albatross.ui.app import SESSION_COOKIE
from albatross.ui.keystone import Login, LoginFailed

CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]*)"')


@dataclass
class UiSession:
    key: str
    csrf: str
    who: object           # the conftest's Identity


def dashboard(api):
    """The Dashboard behind build_app's /ui mount."""
    return api.app.dashboard


def start_session(api, who, *, user_name="alice", project_name="demo", projects=None,
                  expires_in=3600, token=None) -> UiSession:
    key, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    dashboard(api).sessions.save(
        key, user_id=who.user_id, user_name=user_name, project_id=who.project_id,
        project_name=project_name, roles=list(who.roles), is_admin="admin" in who.roles,
        projects=projects or [{"id": who.project_id, "name": project_name}],
        token=token or who.token, unscoped=None, csrf=csrf,
        expires_at=utcnow() + datetime.timedelta(seconds=expires_in))
    return UiSession(key, csrf, who)


def request(api, method, path, session: UiSession | None = None, form: dict | None = None,
            headers: dict | None = None, cookies: dict | None = None,
            body: bytes | None = None) -> webob.Response:
    req = webob.Request.blank(path, method=method)
    jar = dict(cookies or {})
    if session is not None:
        jar.setdefault(SESSION_COOKIE, session.key)
    if jar:
        req.headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in jar.items())
    if form is not None:
        req.content_type = "application/x-www-form-urlencoded"
        req.body = urlencode(form, doseq=True).encode()
    elif body is not None:
        req.content_type = "application/x-www-form-urlencoded"
        req.body = body
    for k, v in (headers or {}).items():
        req.headers[k] = v
    return req.get_response(api.app)


def set_cookies(resp) -> dict[str, SimpleNamespace]:
    """{name: (value, attrs)} from the answer's Set-Cookie headers; attrs lower-cased."""
    out = {}
    for header in resp.headers.getall("Set-Cookie"):
        first, *rest = [p.strip() for p in header.split(";")]
        name, _, value = first.partition("=")
        attrs = {}
        for a in rest:
            k, _, v = a.partition("=")
            attrs[k.lower()] = v
        out[name] = SimpleNamespace(value=value.strip('"'), attrs=attrs)
    return out


def location(resp_or_url) -> tuple[str, dict]:
    """The redirect's (or a link's) path and its query, parsed."""
    url = resp_or_url if isinstance(resp_or_url, str) else resp_or_url.location
    parts = urlsplit(url)
    return parts.path, {k: v[0] for k, v in parse_qs(parts.query).items()}


def csrf_in(html: str) -> str:
    return CSRF_FIELD.search(html).group(1)


class FakeKeystone:
    """Stands for ui.keystone.Keystone: a password (or token) of a known identity logs in,
    scoped to that identity's project (its token is one the auth_token fixture accepts)."""

    def __init__(self):
        self.users = {}          # user name -> (password, Identity)
        self.calls = []

    def add(self, name, password, who):
        self.users[name] = (password, who)

    def login(self, *, username="", password="", domain="Default", token="", project=""):
        self.calls.append({"username": username, "domain": domain, "project": project,
                           "with_token": bool(token)})
        known = self.users.get(username)
        if not known or known[0] != password:
            raise LoginFailed("The user name, password or token was not accepted.")
        who = known[1]
        return Login(user_id=who.user_id, user_name=username, project_id=who.project_id,
                     project_name="demo", roles=sorted(who.roles), token=who.token,
                     unscoped="unscoped-" + who.token,
                     projects=[{"id": who.project_id, "name": "demo"}],
                     expires_at=utcnow() + datetime.timedelta(hours=1))

    def scope(self, unscoped_token, projects, project):
        raise LoginFailed("no other project here")
