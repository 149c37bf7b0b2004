"""Login (password or an existing token), project switch and logout."""
import secrets

from albatross.ui.app import (LOGIN_CSRF_COOKIE, PREFIX, SESSION_COOKIE, PageError, get, post,
                              safe_next, same_secret)
from albatross.ui.keystone import LoginFailed


def login_form(page, error: str | None = None, status: int = 200):
    token = page.req.cookies.get(LOGIN_CSRF_COOKIE) or secrets.token_urlsafe(24)
    page.cookies.append((LOGIN_CSRF_COOKIE, token, {"max_age": 3600}))
    expired = page.arg("expired") == "1"
    return page.render("login.html", status=status, csrf_token=token, error=error,
                       expired=expired, next=safe_next(page.arg("next") or page.form("next")),
                       values={k: page.form(k) for k in ("username", "domain", "project")})


def show_login(page):
    return login_form(page)


def do_login(page):
    cookie = page.req.cookies.get(LOGIN_CSRF_COOKIE, "")
    if not same_secret(page.form("csrf_token"), cookie):
        raise PageError(403, "The login form was refused: its CSRF token is missing or wrong. "
                             "Reload the page and try again.")
    token = page.form("token")
    username, password = page.form("username"), page.req.POST.get("password", "")
    if not token and not (username and password):
        return login_form(page, "Give a user name and password, or a token.", 400)
    try:
        login = page.ui.keystone.login(username=username, password=password,
                                       domain=page.form("domain") or "Default",
                                       token=token, project=page.form("project"))
    except LoginFailed as exc:
        return login_form(page, str(exc), 401)
    return start_session(page, login, safe_next(page.form("next")))


def start_session(page, login, location: str):
    key = page.req.cookies.get(SESSION_COOKIE) if page.session else None
    key = key or page.ui.new_session_key()
    page.ui.sessions.purge_expired()
    page.ui.sessions.save(
        key, user_id=login.user_id, user_name=login.user_name, project_id=login.project_id,
        project_name=login.project_name, roles=login.roles,
        is_admin="admin" in login.roles, projects=login.projects, token=login.token,
        unscoped=login.unscoped, csrf=secrets.token_urlsafe(32), expires_at=login.expires_at)
    page.cookies.append((SESSION_COOKIE, key, {}))
    page.cookies.append((LOGIN_CSRF_COOKIE, "", {"max_age": 0}))
    return page.redirect(location)


def switch_project(page):
    try:
        login = page.ui.keystone.scope(page.session.unscoped or page.session.token,
                                       page.session.projects, page.form("project"))
    except LoginFailed as exc:
        page.flash(str(exc), "error")
        return page.redirect(PREFIX + "/")
    page.flash(f"Now working in project {login.project_name}.")
    return start_session(page, login, PREFIX + "/")


def logout(page):
    page.ui.sessions.delete(page.req.cookies.get(SESSION_COOKIE, ""))
    page.cookies.append((SESSION_COOKIE, "", {"max_age": 0}))
    return page.redirect(PREFIX + "/login")


ROUTES = [
    get(PREFIX + "/login", show_login, public=True),
    post(PREFIX + "/login", do_login, public=True, csrf=False),
    post(PREFIX + "/project", switch_project),
    post(PREFIX + "/logout", logout),
]
