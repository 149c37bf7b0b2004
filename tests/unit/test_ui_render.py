"""The dashboard's Jinja2 environment: the filters tables use, and autoescaping of everything a
user or another project could have named (a security group called `<script>`)."""
import datetime
import os
import re
from types import SimpleNamespace

import pytest

from albatross.ui import charts, render

XSS = "<script>alert(1)</script>"
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"


@pytest.mark.parametrize("value,shown", [
    ("2026-11-30T04:12:07Z", "2026-11-30 04:12:07 UTC"),
    ("2026-11-30T04:12:07", "2026-11-30 04:12:07 UTC"),            # naive: already UTC
    ("2026-11-30T04:12:07.123456", "2026-11-30 04:12:07 UTC"),
    ("2026-11-30T06:12:07+02:00", "2026-11-30 04:12:07 UTC"),      # shown in UTC
    (datetime.datetime(2026, 11, 30, 4, 12, 7), "2026-11-30 04:12:07 UTC"),
    (datetime.datetime(2026, 11, 30, 5, 12, 7,
                       tzinfo=datetime.timezone(datetime.timedelta(hours=1))),
     "2026-11-30 04:12:07 UTC"),
    (None, ""),
    ("", ""),
    ("not a time", "not a time"),
])
def test_when(value, shown):
    assert render.when(value) == shown


@pytest.mark.parametrize("value,shown", [
    (None, ""), (0, "0 B"), (1023, "1023 B"), (1024, "1.0 KiB"), (1536, "1.5 KiB"),
    (5 * 1024 ** 2, "5.0 MiB"), (3 * 1024 ** 3 + 1, "3.0 GiB"), (2 * 1024 ** 4, "2.0 TiB"),
    (5 * 1024 ** 5, "5120.0 TiB"), ("2048", "2.0 KiB"), (-2048, "-2.0 KiB"),
])
def test_size(value, shown):
    assert render.size(value) == shown


@pytest.mark.parametrize("value,shown", [
    (None, ""), (0, "0%"), (0.5, "50%"), (1, "100%"), (1.234, "123%"), (0.996, "100%"),
    (0.0005, "<1%"), (0.004, "<1%"), (0.006, "1%"),
])
def test_percent(value, shown):
    assert render.percent(value) == shown


@pytest.mark.parametrize("value,shown", [
    (None, ""), (0, "0"), (7, "7"), (1234567, "1,234,567"), (2.0, "2"), (1234.56, "1,234.6"),
    (-1, "-1"), (0.25, "0.2"), (1e12, "1,000,000,000,000"),
])
def test_number(value, shown):
    assert render.number(value) == shown


@pytest.mark.parametrize("value,shown", [
    (-1, "unlimited"), (None, "unlimited"), (-1.0, "unlimited"), (0, "0"), (20, "20"),
    (51200, "51,200"),
])
def test_limit(value, shown):
    assert render.limit(value) == shown


@pytest.fixture
def env():
    env = render.make_env()
    env.globals.update(refresh_ms=2000, default_domain="Default")
    return env


def test_environment_has_the_filters_and_autoescapes_every_template(env):
    for name in ("when", "size", "percent", "number", "limit"):
        assert env.filters[name] is getattr(render, name)
    for template in ("x.html", "x.txt", "x.svg", "x"):
        assert env.autoescape(template) if callable(env.autoescape) else env.autoescape
    assert env.from_string("{{ v }}").render(v=XSS) == ESCAPED


def _session(name=XSS, admin=False):
    return SimpleNamespace(user_name=name, project_name=name, project_id="p1",
                           roles=["member", name], is_admin=admin, csrf="c" * 43,
                           projects=[{"id": "p1", "name": name}, {"id": '"><x', "name": "q"}])


def _no_raw(html: str):
    assert "<script>alert" not in html
    assert '"><x' not in html


def test_error_page_escapes_the_message_and_the_session(env):
    html = env.get_template("error.html").render(status_code=404, message=XSS,
                                                  session=_session(), flash=None, page=None)
    _no_raw(html)
    assert ESCAPED in html
    assert html.count(ESCAPED) >= 3       # message, user name, project option
    assert "&#34;&gt;&lt;x" in html        # an attribute value cannot be closed


def test_flash_and_login_form_values_are_escaped(env):
    html = env.get_template("login.html").render(
        session=None, flash={"kind": "error", "text": XSS}, csrf_token='"><x', error=XSS,
        expired=True, next=XSS, values={"username": XSS, "domain": XSS, "project": XSS},
        page=None)
    _no_raw(html)
    assert html.count(ESCAPED) >= 6


def _job(**over):
    job = {"id": "0123456789abcdef", "kind": XSS, "status": "FAILED",
           "task_counts": {"SUCCESS": 1, "FAILED": 1}, "project_id": XSS, "origin": XSS,
           "created_at": "2026-11-30T04:12:07Z", "finished_at": None,
           "tasks": [{"resource": XSS, "resource_type": "keypair", "source_region": XSS,
                      "target_region": XSS, "status": XSS, "progress": None,
                      "duration_ms": None, "attempts": 1, "error": XSS}]}
    job.update(over)
    return job


def test_job_pages_escape_names_from_the_api(env):
    jobs = env.get_template("jobs.html").render(
        session=_session(), flash=None, active="Jobs", jobs=[_job()], filters={"kind": XSS},
        next_url=None, first_url=None, self_url="/ui/jobs")
    _no_raw(jobs)
    assert ESCAPED in jobs and "2026-11-30 04:12:07 UTC" in jobs
    token = render.CURRENT_CSRF.set("c" * 43)
    try:
        one = env.get_template("job.html").render(session=_session(), flash=None,
                                                  active="Jobs", job=_job(), final=True)
    finally:
        render.CURRENT_CSRF.reset(token)
    _no_raw(one)
    assert 'name="csrf_token" value="' + "c" * 43 + '"' in one   # the retry form has it
    assert one.count(ESCAPED) >= 5
    assert "data-final" in one and 'action="/ui/jobs/0123456789abcdef/retry"' in one
    # the status goes into a class name too: escaped there as well
    assert 's-&lt;script&gt;' in one


def test_csrf_macro_works_where_it_is_imported_without_the_pages_context(env):
    """`{% from "macros.html" import csrf %}` does not pass `session` to the macro: the token
    of the page being rendered comes from render.CURRENT_CSRF (set by Page.render)."""
    template = env.from_string('{% from "macros.html" import csrf %}<form>{{ csrf() }}</form>')
    token = render.CURRENT_CSRF.set('t"><x')
    try:
        html = template.render(session=_session())
    finally:
        render.CURRENT_CSRF.reset(token)
    assert html == '<form><input type="hidden" name="csrf_token" value="t&#34;&gt;&lt;x"></form>'
    assert 'value=""' in template.render()   # outside a page: empty, so the POST is refused


def test_charts_escape_titles_and_labels(env):
    line = charts.line_chart(XSS, [(XSS, [(0.0, 1.0)])], 0, 10, XSS, XSS)
    bar = charts.stacked_bar([(XSS, 5)], 10, soft=8)
    html = env.from_string('{% from "_chart.html" import line_chart, stacked_bar %}'
                           '{{ line_chart(c) }}{{ stacked_bar(b, t) }}').render(c=line, b=bar,
                                                                               t=XSS)
    _no_raw(html)
    assert html.count(ESCAPED) >= 6
    assert "global limit" in html and "soft limit" in html


def test_no_template_turns_escaping_off():
    """`|safe`, `Markup` or `{% autoescape false %}` on data would undo all of the above."""
    bad = re.compile(r"\|\s*safe\b|autoescape\s+false|Markup\(")
    for name in os.listdir(render.TEMPLATES):
        with open(os.path.join(render.TEMPLATES, name), encoding="utf-8") as f:
            assert not bad.search(f.read()), name


# --- pure helpers the pages rely on (no Keystone, no request) ----------------------------


@pytest.mark.parametrize("url,v3", [
    ("http://keystone:5000", "http://keystone:5000/v3"),
    ("http://keystone:5000/", "http://keystone:5000/v3"),
    ("http://keystone:5000/v3", "http://keystone:5000/v3"),
    ("http://keystone:5000/v3/", "http://keystone:5000/v3"),
    ("https://cloud.example/identity", "https://cloud.example/identity/v3"),
])
def test_keystone_v3_url(url, v3):
    from albatross.ui.keystone import Keystone, v3_url
    assert v3_url(url) == v3
    assert Keystone(url).auth_url == v3


@pytest.mark.parametrize("location,kept", [
    ("/ui/", True), ("/ui/jobs?kind=image_sync&marker=x", True), ("/ui", True),
    ("", False), (None, False), ("/v1/jobs", False), ("https://evil.example/ui/", False),
    ("//evil.example/ui/", False), ("/\t/evil.example/ui/", False), ("/ui/\r\nX-A: b", False),
    ("javascript:alert(1)//ui/", False), ("/ui/\x00", False),
])
def test_safe_next_stays_in_the_dashboard(location, kept):
    from albatross.ui.app import safe_next
    assert safe_next(location) == (location if kept else "/ui/")


@pytest.mark.parametrize("origin,host,same", [
    ("http://dash.example", "dash.example", True),
    ("https://dash.example", "dash.example", True),
    ("http://dash.example", "dash.example:80", True),
    ("https://dash.example", "dash.example:443", True),
    ("http://dash.example:8080", "dash.example:8080", True),
    ("HTTP://Dash.Example", "dash.example", True),
    ("http://dash.example:8080", "dash.example", False),
    ("https://dash.example:80", "dash.example:443", False),
    ("https://evil.example", "dash.example", False),
    ("https://dash.example.evil.example", "dash.example", False),
    ("dash.example", "dash.example", False),
])
def test_same_host(origin, host, same):
    from albatross.ui.app import same_host
    assert same_host(origin, host) is same


def test_same_secret():
    from albatross.ui.app import same_secret
    assert same_secret("abc", "abc")
    assert not same_secret("abc", "abd") and not same_secret("", "") and not same_secret("a", "")
    assert not same_secret("é", "abc") and not same_secret("abc", "é")   # no TypeError


def test_compact_axis_labels():
    from albatross.ui.render import compact
    assert [compact(v) for v in (0, 100, 4000, 799488, 1.5e9)] == ["0", "100", "4k", "799k",
                                                                    "1.5G"]
