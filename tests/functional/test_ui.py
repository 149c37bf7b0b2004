"""The dashboard under /ui in the full application (build_app), no browser and no Keystone:
sessions are put straight into the session store with tokens keystonemiddleware's fixture
accepts. Login redirects, CSRF on every POST, security headers, static files, tenant scoping
through the API, sessions that end when their token does, fragments, body limits, logs."""
import datetime
import html as html_lib
import logging
import re
from types import SimpleNamespace
from urllib.parse import unquote, urlencode

import pytest

from albatross.db.ui_sessions import key_hash
from albatross.ui.app import FLASH_COOKIE, LOGIN_CSRF_COOKIE, SESSION_COOKIE
from tests.functional import ui_support as ui
from tests.functional.ui_support import request, set_cookies, start_session

ADMIN = ("admin", "member", "reader")


def _html(resp) -> str:
    assert resp.content_type == "text/html", (resp.status, resp.content_type)
    return resp.text


def _assert_secure(resp, page=True):
    h = resp.headers
    csp = h["Content-Security-Policy"]
    for rule in ("default-src 'self'", "script-src 'self'", "frame-ancestors 'none'",
                 "object-src 'none'", "base-uri 'none'", "form-action 'self'"):
        assert rule in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert h["X-Frame-Options"] == "DENY"
    assert h["X-Content-Type-Options"] == "nosniff"
    assert h["Referrer-Policy"] == "no-referrer"
    if page:
        assert h["Cache-Control"] == "no-store"


# --- login and the session cookie ------------------------------------------------------


def test_pages_without_a_session_go_to_login(api):
    resp = request(api, "GET", "/ui/")
    assert resp.status_int == 303
    assert ui.location(resp) == ("/ui/login", {"next": "/ui/"})
    _assert_secure(resp)
    resp = request(api, "GET", "/ui/jobs?kind=keypair_sync&active=1")
    assert ui.location(resp) == ("/ui/login", {"next": "/ui/jobs?kind=keypair_sync&active=1"})
    assert request(api, "GET", "/ui").status_int == 303
    # a POST is not remembered as where to go back to
    resp = request(api, "POST", "/ui/logout", form={"csrf_token": "x"})
    assert resp.status_int == 303 and ui.location(resp) == ("/ui/login", {})
    # an unknown cookie: the same, with the "session ended" note and the cookie dropped
    resp = request(api, "GET", "/ui/jobs", cookies={SESSION_COOKIE: "made-up"})
    assert ui.location(resp) == ("/ui/login", {"next": "/ui/jobs", "expired": "1"})
    assert set_cookies(resp)[SESSION_COOKIE].attrs["max-age"] == "0"
    # a live part of a page asking for news: a plain 401, not a redirect into the fragment
    frag = request(api, "GET", "/ui/jobs", headers={"X-Albatross-Fragment": "1"})
    assert frag.status_int == 401 and "<html" not in frag.text


def test_login_form_sets_its_csrf_cookie(api):
    resp = request(api, "GET", "/ui/login?next=/ui/jobs")
    assert resp.status_int == 200
    _assert_secure(resp)
    html = _html(resp)
    token = ui.csrf_in(html)
    assert len(token) >= 24
    assert 'name="next" value="/ui/jobs"' in html
    cookie = set_cookies(resp)[LOGIN_CSRF_COOKIE]
    assert cookie.value == token
    assert "httponly" in cookie.attrs
    assert cookie.attrs["samesite"].lower() == "strict"
    assert cookie.attrs["path"] == "/ui"
    assert "secure" not in cookie.attrs        # plain HTTP, [ui] secure_cookies off
    # the form keeps the token it already gave this browser
    again = request(api, "GET", "/ui/login", cookies={LOGIN_CSRF_COOKIE: token})
    assert ui.csrf_in(again.text) == token
    # over HTTPS the cookie is Secure
    https = request(api, "GET", "https://localhost/ui/login")
    assert "secure" in set_cookies(https)[LOGIN_CSRF_COOKIE].attrs
    # next= elsewhere is not kept
    for bad in ("https://evil.example/ui/", "//evil.example/ui/", "/v1/jobs", "/ui/\r\nX: y"):
        page = request(api, "GET", "/ui/login?" + urlencode({"next": bad}))
        assert 'name="next" value="/ui/"' in page.text, bad


def test_login_post_wants_the_matching_csrf(api):
    token = ui.csrf_in(request(api, "GET", "/ui/login").text)
    form = {"username": "alice", "password": "pw", "csrf_token": token}
    assert request(api, "POST", "/ui/login", form=form).status_int == 403   # no cookie
    assert request(api, "POST", "/ui/login", form={**form, "csrf_token": ""},
                   cookies={LOGIN_CSRF_COOKIE: token}).status_int == 403
    wrong = request(api, "POST", "/ui/login", form={**form, "csrf_token": "x" + token},
                    cookies={LOGIN_CSRF_COOKIE: token})
    assert wrong.status_int == 403 and "CSRF" in wrong.text
    _assert_secure(wrong)
    # not ASCII: refused like any other wrong token (compare_digest raises on such text)
    odd = request(api, "POST", "/ui/login", form={**form, "csrf_token": "é" * 10},
                  cookies={LOGIN_CSRF_COOKIE: token})
    assert odd.status_int == 403
    # the right token: on to Keystone, which build_app has none of here (no URL configured)
    resp = request(api, "POST", "/ui/login", form=form, cookies={LOGIN_CSRF_COOKIE: token})
    assert resp.status_int == 401
    assert "no Keystone" in resp.text and "pw" not in re.findall(r'value="([^"]*)"',
                                                                 resp.text)
    missing = request(api, "POST", "/ui/login", form={**form, "password": ""},
                      cookies={LOGIN_CSRF_COOKIE: token})
    assert missing.status_int == 400 and "user name and password" in missing.text
    assert 'value="alice"' in missing.text            # what was typed stays, but no password


def test_login_starts_a_fresh_session_and_goes_to_next(api):
    keystone = ui.FakeKeystone()
    ui.dashboard(api).keystone = keystone
    member = api.identity()
    keystone.add("alice", "s3cret", member)
    token = ui.csrf_in(request(api, "GET", "/ui/login").text)
    bad = request(api, "POST", "/ui/login", cookies={LOGIN_CSRF_COOKIE: token},
                  form={"username": "alice", "password": "nope", "csrf_token": token})
    assert bad.status_int == 401 and "was not accepted" in bad.text
    old = start_session(api, member)        # a session the browser already had
    resp = request(api, "POST", "/ui/login", session=old,
                   cookies={LOGIN_CSRF_COOKIE: token},
                   form={"username": "alice", "password": "s3cret", "csrf_token": token,
                         "next": "/ui/jobs?kind=keypair_sync", "domain": "",
                         "project": "demo"})
    assert resp.status_int == 303
    assert ui.location(resp) == ("/ui/jobs", {"kind": "keypair_sync"})
    cookies = set_cookies(resp)
    key = cookies[SESSION_COOKIE].value
    assert key != old.key                    # never the key the browser came with
    assert "httponly" in cookies[SESSION_COOKIE].attrs
    assert cookies[SESSION_COOKIE].attrs["samesite"].lower() == "strict"
    assert cookies[SESSION_COOKIE].attrs["path"] == "/ui"
    assert cookies[LOGIN_CSRF_COOKIE].attrs["max-age"] == "0"
    assert keystone.calls[-1] == {"username": "alice", "domain": "Default", "project": "demo",
                                  "with_token": False}
    session = ui.dashboard(api).sessions.load(key)
    assert (session.project_id, session.token) == (member.project_id, member.token)
    page = request(api, "GET", "/ui/jobs", cookies={SESSION_COOKIE: key})
    assert page.status_int == 200 and "alice" in page.text
    # an outside next= after a good login: the overview
    token = ui.csrf_in(request(api, "GET", "/ui/login").text)
    for bad_next in ("https://evil.example/", "/ui/\r\nSet-Cookie: x=1"):
        resp = request(api, "POST", "/ui/login", cookies={LOGIN_CSRF_COOKIE: token},
                       form={"username": "alice", "password": "s3cret", "csrf_token": token,
                             "next": bad_next})
        assert resp.status_int == 303 and ui.location(resp)[0] == "/ui/", bad_next


# --- headers and static files ----------------------------------------------------------


def test_every_answer_has_the_security_headers(api):
    member = api.identity()
    s = start_session(api, member)
    job_id = api.make_job(member, 1, ["FAILED"])
    answers = [request(api, "GET", "/ui/login"),
               request(api, "GET", "/ui/"),
               request(api, "GET", "/ui/jobs", session=s),
               request(api, "GET", f"/ui/jobs/{job_id}", session=s),
               request(api, "GET", "/ui/jobs", session=s, headers={"X-Albatross-Fragment": "1"}),
               request(api, "GET", "/ui/nothing-here", session=s),
               request(api, "GET", "/ui/logout", session=s),              # 405
               request(api, "POST", f"/ui/jobs/{job_id}/retry", session=s, form={}),  # 403
               request(api, "POST", "/ui/login", body=b"x" * (
                   api.rt.conf.api.max_request_body_bytes + 1))]          # 413
    assert [r.status_int for r in answers] == [200, 303, 200, 200, 200, 404, 405, 403, 413]
    for resp in answers:
        _assert_secure(resp)
        if resp.status_int != 413:       # refused before the dashboard saw it
            assert resp.headers["X-OpenStack-Request-Id"].startswith("req-")
    # the API beside it keeps its own headers (JSON, no page CSP needed)
    assert "X-Frame-Options" not in api.request("GET", "/v1").headers


def test_static_files(api):
    for name, kind in (("albatross.css", "text/css"), ("albatross.js", "javascript")):
        resp = request(api, "GET", f"/ui/static/{name}")
        assert resp.status_int == 200, name
        assert kind in resp.content_type
        assert resp.body
        assert "no-store" not in resp.headers.get("Cache-Control", "")
        assert "max-age" in resp.headers["Cache-Control"]
        _assert_secure(resp, page=False)
        again = request(api, "GET", f"/ui/static/{name}",
                        headers={"If-None-Match": resp.headers["ETag"]})
        assert again.status_int == 304
    for path in ("/ui/static/../x", "/ui/static/..", "/ui/static/%2e%2e/app.py",
                 "/ui/static/.hidden", "/ui/static/nothing.css", "/ui/static/",
                 "/ui/static/..%2f..%2fapi%2fdeploy.py"):
        assert request(api, "GET", path).status_int == 404, path


# --- CSRF on the session's POSTs --------------------------------------------------------


def test_posts_want_the_sessions_csrf_token(api):
    member = api.identity()
    s = start_session(api, member)
    job_id = api.make_job(member, 2, ["FAILED", "SUCCESS"])
    retry = f"/ui/jobs/{job_id}/retry"
    for path in (retry, "/ui/logout", "/ui/project"):
        assert request(api, "POST", path, session=s, form={}).status_int == 403, path
        wrong = request(api, "POST", path, session=s, form={"csrf_token": s.csrf[:-1] + "x"})
        assert wrong.status_int == 403 and "CSRF" in wrong.text, path
        assert request(api, "POST", path, session=s,
                       form={"csrf_token": "ü" + s.csrf[1:]}).status_int == 403, path
        # another session's token is no good either
        other = start_session(api, member)
        assert request(api, "POST", path, session=s,
                       form={"csrf_token": other.csrf}).status_int == 403, path
    assert api.rt.dispatcher.dispatched == []
    # the right one: the retry goes to the API, back to the job with a message
    resp = request(api, "POST", retry, session=s, form={"csrf_token": s.csrf})
    assert resp.status_int == 303 and ui.location(resp)[0] == f"/ui/jobs/{job_id}"
    assert len(api.rt.dispatcher.dispatched) == 1
    flash = set_cookies(resp)[FLASH_COOKIE]
    page = request(api, "GET", f"/ui/jobs/{job_id}", session=s,
                   cookies={FLASH_COOKIE: flash.value})
    assert "The failed tasks run again." in page.text
    assert set_cookies(page)[FLASH_COOKIE].attrs["max-age"] == "0"   # shown once
    # nothing failed any more: the API's refusal comes back as a message, not an error page
    again = request(api, "POST", retry, session=s, form={"csrf_token": s.csrf})
    assert again.status_int == 303 and ui.location(again)[0] == f"/ui/jobs/{job_id}"
    assert unquote(set_cookies(again)[FLASH_COOKIE].value).startswith("error:")
    assert "no FAILED tasks" in request(api, "GET", f"/ui/jobs/{job_id}", session=s, cookies={
        FLASH_COOKIE: set_cookies(again)[FLASH_COOKIE].value}).text
    # the header works as well as the field (fetch() from albatross.js)
    resp = request(api, "POST", "/ui/logout", session=s, form={},
                   headers={"X-CSRF-Token": s.csrf})
    assert resp.status_int == 303 and ui.location(resp)[0] == "/ui/login"
    assert set_cookies(resp)[SESSION_COOKIE].attrs["max-age"] == "0"
    assert ui.dashboard(api).sessions.load(s.key) is None
    assert request(api, "GET", "/ui/jobs", session=s).status_int == 303


def test_a_post_from_another_origin_is_refused(api):
    member = api.identity()
    s = start_session(api, member)
    job_id = api.make_job(member, 1, ["FAILED"])
    retry = f"/ui/jobs/{job_id}/retry"
    form = {"csrf_token": s.csrf}
    for origin in ("https://evil.example", "http://localhost.evil.example",
                   "http://localhost:8080"):
        resp = request(api, "POST", retry, session=s, form=form, headers={"Origin": origin})
        assert resp.status_int == 403 and "another site" in resp.text, origin
    assert api.rt.dispatcher.dispatched == []
    # the same host (with or without the default port), or no Origin at all: fine
    for headers in ({"Origin": "http://localhost"}, {"Origin": "http://localhost:80"},
                    {"Origin": "http://dash.example", "Host": "dash.example"}, {}):
        resp = request(api, "POST", retry, session=s, form=form, headers=headers)
        assert resp.status_int == 303, headers


def test_a_proxys_public_origin_can_be_allowed(api):
    """Behind a proxy that rewrites Host, the public origin is named in [ui] allowed_origins."""
    api.rt.conf.set_override("allowed_origins", ["https://Dash.Example/"], group="ui")
    member = api.identity()
    s = start_session(api, member)
    retry = f"/ui/jobs/{api.make_job(member, 1, ['FAILED'])}/retry"
    form = {"csrf_token": s.csrf}
    ok = request(api, "POST", retry, session=s, form=form,
                 headers={"Origin": "https://dash.example", "Host": "10.0.0.5:8118"})
    assert ok.status_int == 303
    refused = request(api, "POST", retry, session=s, form=form,
                      headers={"Origin": "https://other.example", "Host": "10.0.0.5:8118"})
    assert refused.status_int == 403


# --- tenant scoping, fragments, ended sessions ------------------------------------------


def test_pages_show_only_the_sessions_project(api):
    mine, theirs = api.identity(), api.identity()
    my_job = api.make_job(mine, 2, ["FAILED", "SUCCESS"])
    their_job = api.make_job(theirs, 1, ["SUCCESS"])
    s = start_session(api, mine)
    html = _html(request(api, "GET", "/ui/jobs", session=s))
    assert f'href="/ui/jobs/{my_job}"' in html
    assert their_job[:8] not in html and theirs.project_id[:8] not in html
    # even asking for all projects as a member shows only mine (the API decides)
    html = request(api, "GET", "/ui/jobs?all_projects=1", session=s).text
    assert their_job[:8] not in html
    job = request(api, "GET", f"/ui/jobs/{my_job}", session=s)
    assert job.status_int == 200
    assert job.text.count('data-region="RegionTwo"') == 2
    assert 'action="/ui/jobs/' + my_job + '/retry"' in job.text
    assert f'value="{s.csrf}"' in job.text                      # the retry form's token
    other = request(api, "GET", f"/ui/jobs/{their_job}", session=s)
    assert other.status_int == 404
    assert "Not found" in _html(other) and theirs.project_id not in other.text
    # a path parameter cannot smuggle a query or another path into the API call
    for smuggled in (f"{their_job}%3Fall_projects=1", "x%2F..%2F" + their_job, "x%25"):
        assert request(api, "GET", f"/ui/jobs/{smuggled}", session=s).status_int == 404
    # nor can it be retried from here
    resp = request(api, "POST", f"/ui/jobs/{their_job}/retry", session=s,
                   form={"csrf_token": s.csrf})
    assert resp.status_int == 404
    # an admin asking for all projects sees both
    boss = api.identity(roles=ADMIN)
    admin = start_session(api, boss)
    html = request(api, "GET", "/ui/jobs?all_projects=1", session=admin).text
    assert my_job[:8] in html and their_job[:8] in html


def _links(html: str, attr: str) -> list[str]:
    return [html_lib.unescape(v) for v in re.findall(attr + r'="([^"]*)"', html)]


def test_job_list_filters_survive_pages_and_live_refresh(api):
    api.rt.conf.set_override("page_size", 5, group="ui")
    member = api.identity()
    done = [api.make_job(member, 1, ["SUCCESS"]) for _ in range(2)]
    running = [api.make_job(member, 1) for _ in range(7)]
    s = start_session(api, member)
    html = request(api, "GET", "/ui/jobs?active=1", session=s).text
    (refresh,) = _links(html, "data-refresh")
    assert ui.location(refresh) == ("/ui/jobs", {"active": "1"})
    (next_url,) = [u for u in _links(html, "href") if "marker=" in u]
    path, query = ui.location(next_url)
    assert path == "/ui/jobs" and query["active"] == "1"
    seen = re.findall(r'href="/ui/jobs/([0-9a-f-]{36})"', html)
    assert len(seen) == 5
    page2 = request(api, "GET", next_url, session=s).text
    seen += re.findall(r'href="/ui/jobs/([0-9a-f-]{36})"', page2)
    assert sorted(seen) == sorted(running)             # no finished job, none twice
    assert not set(done) & set(seen)
    assert not [u for u in _links(page2, "href") if "marker=" in u]   # the last page
    assert "/ui/jobs?active=1" in _links(page2, "href")                # back to the first
    (refresh2,) = _links(page2, "data-refresh")
    assert ui.location(refresh2)[1]["active"] == "1"
    # the live part asks the same page again: still only running jobs
    part = request(api, "GET", refresh2, session=s, headers={"X-Albatross-Fragment": "1"})
    assert not set(done) & set(re.findall(r'/ui/jobs/([0-9a-f-]{36})"', part.text))


def test_fragments_get_only_the_live_part(api):
    member = api.identity()
    s = start_session(api, member)
    job_id = api.make_job(member, 1, ["SUCCESS"])
    frag = {"X-Albatross-Fragment": "1"}
    for path, root in (("/ui/jobs", 'id="jobs-live"'), (f"/ui/jobs/{job_id}", 'id="job-live"')):
        full = _html(request(api, "GET", path, session=s))
        assert "<html" in full and root in full
        part = request(api, "GET", path, session=s, headers=frag)
        assert part.status_int == 200
        text = part.text.strip()
        assert text.startswith("<div ") and root in text.split(">", 1)[0]
        assert "<html" not in text and "<header" not in text and "<body" not in text
    assert "data-final" in request(api, "GET", f"/ui/jobs/{job_id}", session=s,
                                   headers=frag).text        # done: polling stops
    # a fragment's error is plain text, not a page
    missing = request(api, "GET", "/ui/jobs/00000000-0000-0000-0000-000000000000",
                      session=s, headers=frag)
    assert missing.status_int == 404 and missing.content_type == "text/plain"


@pytest.mark.parametrize("how", ["revoked", "expired token", "expired session"])
def test_a_session_whose_token_ended_goes_to_login(api, how):
    member = api.identity()
    if how == "revoked":
        s = start_session(api, member, token="revoked-" + member.token)
    elif how == "expired token":
        token = "expired-token-" + member.user_id
        api.fixture.add_token_data(token_id=token, user_id=member.user_id,
                                   project_id=member.project_id, role_list=["member"],
                                   expires=datetime.datetime(2020, 1, 1))
        s = start_session(api, member, token=token)
    else:
        s = start_session(api, member, expires_in=-5)
    store = ui.dashboard(api).sessions
    assert store.count() == 1
    resp = request(api, "GET", "/ui/jobs?kind=image_sync", session=s)
    assert resp.status_int == 303
    assert ui.location(resp) == ("/ui/login", {"next": "/ui/jobs?kind=image_sync",
                                               "expired": "1"})
    assert set_cookies(resp)[SESSION_COOKIE].attrs["max-age"] == "0"
    assert store.count() == 0                         # the row is gone
    login = request(api, "GET", ui.location(resp)[0] + "?expired=1")
    assert "Your session ended" in login.text


def test_a_revoked_token_ends_the_session_on_every_kind_of_request(api):
    member = api.identity()
    job_id = api.make_job(member, 1, ["FAILED"])
    store = ui.dashboard(api).sessions
    s = start_session(api, member)
    api.fixture._token_data.pop(member.token)           # revoked in Keystone
    frag = request(api, "GET", "/ui/jobs", session=s, headers={"X-Albatross-Fragment": "1"})
    assert frag.status_int == 401 and store.load(s.key) is None
    s = start_session(api, member)
    resp = request(api, "POST", f"/ui/jobs/{job_id}/retry", session=s,
                   form={"csrf_token": s.csrf})
    assert resp.status_int == 303 and ui.location(resp)[1].get("expired") == "1"
    assert store.load(s.key) is None


def test_overview_for_a_member_and_an_admin(api):
    class Registry:
        def regions(self, refresh=False):
            return {"RegionOne": SimpleNamespace(cloud="c1", region_name="RegionOne",
                                                 keystone="http://k", endpoints={}),
                    "<b>Two</b>": SimpleNamespace(cloud="c2", region_name="<b>Two</b>",
                                                  keystone="http://k", endpoints={})}

        def names(self):
            return list(self.regions())

    class Health:
        def check(self, names, fresh=False):
            return {n: {"status": "up", "services": {"compute": {"status": "up",
                                                                 "url": "http://n",
                                                                 "latency_ms": 3.0}}}
                    for n in names}

    api.rt.registry, api.rt.health = Registry(), Health()
    member = api.identity()
    api.make_job(member, 1, ["FAILED"])
    for who in (member, api.identity(roles=ADMIN)):
        s = start_session(api, who, project_name="<i>demo</i>")
        resp = request(api, "GET", "/ui/", session=s)
        html = _html(resp)
        assert resp.status_int == 200, html
        assert 'data-region="RegionOne"' in html and "&lt;b&gt;Two&lt;/b&gt;" in html
        assert "<b>Two</b>" not in html and "<i>demo</i>" not in html
        part = request(api, "GET", "/ui/", session=s, headers={"X-Albatross-Fragment": "1"})
        assert part.text.strip().startswith('<div id="overview-live"')
    # the member's failed job is an open problem on its overview
    html = request(api, "GET", "/ui/", session=start_session(api, member)).text
    assert "Open problems" in html and "keypair_sync" in html


def test_overview_when_the_catalog_cannot_be_read(api):
    s = start_session(api, api.identity())
    resp = request(api, "GET", "/ui/", session=s)
    assert resp.status_int == 502 and "region catalog" in resp.text


def test_a_failing_page_shows_its_request_id(api, monkeypatch, caplog):
    s = start_session(api, api.identity())
    route = next(r for r in ui.dashboard(api).routes if r.path == "/ui/jobs")

    def broken(page):
        raise RuntimeError("bug")
    monkeypatch.setattr(route, "handler", broken)
    with caplog.at_level(logging.ERROR, logger="albatross.ui.app"):
        resp = request(api, "GET", "/ui/jobs", session=s)
    assert resp.status_int == 500
    request_id = resp.headers["X-OpenStack-Request-Id"]
    assert request_id in resp.text
    assert request_id in caplog.text and "RuntimeError: bug" in caplog.text


def test_a_body_over_the_limit_is_refused(api):
    limit = api.rt.conf.api.max_request_body_bytes
    s = start_session(api, api.identity())
    token = ui.csrf_in(request(api, "GET", "/ui/login").text)
    big = {"csrf_token": s.csrf, "pad": "x" * limit}
    for path, session in (("/ui/logout", s), ("/ui/login", None)):
        resp = request(api, "POST", path, session=session, form=big,
                       cookies={LOGIN_CSRF_COOKIE: token})
        assert resp.status_int == 413, path
        assert "<html" not in resp.text
    assert ui.dashboard(api).sessions.load(s.key) is not None   # the logout never ran
    # exactly at the limit: parsed as usual (here: 403, no csrf field)
    body = b"a=" + b"x" * (limit - 2)
    assert request(api, "POST", "/ui/logout", session=s, body=body).status_int == 403


def test_no_token_or_cookie_reaches_the_log(api, caplog):
    keystone = ui.FakeKeystone()
    ui.dashboard(api).keystone = keystone
    member = api.identity()
    keystone.add("alice", "pa55-w0rd-secret", member)
    job_id = api.make_job(member, 1, ["FAILED"])
    revoked = api.identity()
    caplog.set_level(logging.DEBUG)
    s = start_session(api, member)
    gone = start_session(api, revoked)
    api.fixture._token_data.pop(revoked.token)
    login_csrf = ui.csrf_in(request(api, "GET", "/ui/login").text)
    logged_in = request(api, "POST", "/ui/login", cookies={LOGIN_CSRF_COOKIE: login_csrf},
                        form={"username": "alice", "password": "pa55-w0rd-secret",
                              "csrf_token": login_csrf})
    new_key = set_cookies(logged_in)[SESSION_COOKIE].value
    request(api, "POST", "/ui/login", cookies={LOGIN_CSRF_COOKIE: login_csrf},
            form={"username": "alice", "password": "wrong-pa55-word", "csrf_token": "bad"})
    for path in ("/ui/", "/ui/jobs", f"/ui/jobs/{job_id}", "/ui/jobs/nope"):
        request(api, "GET", path, session=s)
        request(api, "GET", path, session=gone)
    request(api, "POST", f"/ui/jobs/{job_id}/retry", session=s, form={"csrf_token": "wrong"})
    request(api, "POST", f"/ui/jobs/{job_id}/retry", session=s, form={"csrf_token": s.csrf})
    request(api, "POST", f"/ui/jobs/{job_id}/retry", session=gone,
            form={"csrf_token": gone.csrf})
    request(api, "POST", "/ui/logout", session=s, form={"csrf_token": s.csrf})
    secrets_ = {"token": member.token, "revoked token": revoked.token, "key": s.key,
                "other key": gone.key, "new key": new_key, "csrf": s.csrf,
                "login csrf": login_csrf, "password": "pa55-w0rd-secret",
                "wrong password": "wrong-pa55-word", "key hash": key_hash(s.key)}
    assert caplog.records, "nothing logged at all: the check would prove nothing"
    logged = caplog.text + "\n".join(
        f"{r.getMessage()} {r.args!r} {r.__dict__!r}" for r in caplog.records)
    for what, value in secrets_.items():
        assert value not in logged, what
