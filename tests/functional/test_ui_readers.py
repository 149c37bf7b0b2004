"""The dashboard for a user who may only read the project (Keystone's `reader` role) and for a
member of it: the API refuses a reader's writes, so the reader's pages show no form that
changes something (only logout and the project switcher post) and say once that actions
need the member role; the member's pages keep every form. No OpenStack: a catalog of two
regions whose Glance is a dict, and no Neutron (address reads fail per region)."""
import re
from html.parser import HTMLParser
from types import SimpleNamespace

import pytest
import webob

from tests.functional.conftest import TrustRecorder
from albatross.db.engine import session_scope
from albatross.db.models import DriftEvent, RolloutEvent
from albatross.db.policies import PolicyStore
from albatross.db.rollouts import RolloutStore
from albatross.ui.app import Page
from tests.functional.ui_support import request, start_session

REGIONS = ("RegionOne", "RegionTwo")
READ_ONLY = "You can read this project (reader role); actions need the member role."
ALWAYS = {"/ui/logout", "/ui/project"}       # the session's own forms: every user has them
# forms a member has (a reader none of them): page -> actions of its POST forms
MEMBER_FORMS = {
    "/ui/keypairs": {"/ui/keypairs/sync", "/ui/keypairs/policies",
                     "/ui/keypairs/policies/{kp_policy}/audit",
                     "/ui/keypairs/policies/{kp_policy}/delete"},
    "/ui/secgroups": {"/ui/secgroups/sync", "/ui/secgroups/policies",
                      "/ui/secgroups/policies/{sg_policy}/audit",
                      "/ui/secgroups/policies/{sg_policy}/delete"},
    "/ui/images": {"/ui/images/sync", "/ui/images/ensure", "/ui/images/mode",
                   "/ui/images/default", "/ui/images/rollout"},
    "/ui/rollouts/{rollout}": {"/ui/rollouts/{rollout}/approve",
                               "/ui/rollouts/{rollout}/pause",
                               "/ui/rollouts/{rollout}/abort",
                               "/ui/rollouts/{rollout}/rollback"},
    "/ui/jobs/{job}": {"/ui/jobs/{job}/retry"},
    "/ui/addresses": {"/ui/addresses/refresh", "/ui/addresses/plan",
                      "/ui/addresses/allocate"},
}
PAGES = ["/ui/", "/ui/quotas", "/ui/quotas/class", "/ui/jobs", "/ui/jobs/{job}",
         "/ui/keypairs", "/ui/secgroups", "/ui/images", "/ui/rollouts",
         "/ui/rollouts/{rollout}", "/ui/addresses", "/ui/events"]
# the API lets a reader refresh the address view (albatross:addresses:get): the button stays
READER_MAY = {"/ui/addresses": {"/ui/addresses/refresh"}}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}
OPTIONAL_END = {"option", "li", "dt", "dd", "p", "tr", "td", "th"}   # closed by their parent


class Catalog(TrustRecorder):
    """Two regions; a connection has a Glance (the `glance` dict, read through the patched
    list_raw) and no Neutron, so reading addresses fails in each region (the page still
    shows, with what is stored: nothing)."""

    def __init__(self):
        super().__init__()
        self.glance = {r: [] for r in REGIONS}

    def regions(self, refresh=False):
        return {n: SimpleNamespace(cloud="c", region_name=n, keystone="http://k",
                                   endpoints={"image": "http://g"}) for n in REGIONS}

    def names(self):
        return list(REGIONS)

    def connection(self, region):
        return SimpleNamespace(region=region)

    def acting_for(self, authority, request_id=None):
        return self  # Glance stood in for: the same listing as the user's own

    def fan_out(self, fn, names):
        out = {}
        for n in names:
            try:
                out[n] = fn(n)
            except Exception as exc:   # as the registry does: one region's failure
                out[n] = exc
        return out

    def list_raw(self, conn, **filters):
        return [dict(raw) for raw in self.glance[conn.region]
                if filters.get("owner") in (None, raw["owner"])
                and filters.get("visibility") in (None, "all", raw["visibility"])
                and bool(filters.get("is_hidden", False)) is False
                and ("id" not in filters or raw["id"] in filters["id"][3:].split(","))]


class Health:
    def check(self, names, fresh=False):
        return {n: {"status": "up", "services": {"image": {"status": "up", "url": "http://g",
                                                           "latency_ms": 1.0}}}
                for n in names}


class Tags(HTMLParser):
    """Every element closed in order, no form inside a form; the POST forms' actions."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack, self.errors, self.posts = [], [], []

    def handle_starttag(self, tag, attrs):
        if tag in VOID:
            return
        a = dict(attrs)
        if tag == "form":
            if "form" in self.stack:
                self.errors.append(f"a form inside a form: {a.get('action')}")
            if (a.get("method") or "get").lower() == "post":
                self.posts.append(a.get("action"))
        self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.handle_endtag(tag)

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        while self.stack and self.stack[-1] != tag and self.stack[-1] in OPTIONAL_END:
            self.stack.pop()
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes <{self.stack[-1] if self.stack else '-'}>")
            if tag in self.stack:
                while self.stack.pop() != tag:
                    pass
            return
        self.stack.pop()


def checked(html: str) -> Tags:
    tags = Tags()
    tags.feed(html)
    tags.close()
    assert not tags.errors, tags.errors
    assert tags.stack == [], tags.stack
    return tags


@pytest.fixture
def project(api, monkeypatch):
    """A project with a member and a reader, a job with a FAILED task, a rollout waiting for
    approval, a keypair and a security group sync policy with open drift, an image."""
    catalog = Catalog()
    api.rt.registry, api.rt.health = catalog, Health()
    monkeypatch.setattr("albatross.regions.images.list_raw", catalog.list_raw)
    # Keystone's implied roles: a member's token carries `reader` too
    member = api.identity(roles=("member", "reader"))
    reader = api.identity(roles=("reader",), project_id=member.project_id)
    catalog.glance["RegionOne"].append({
        "id": "1" * 8 + "-1111-1111-1111-" + "1" * 12, "name": "app", "status": "active",
        "owner": member.project_id, "size": 1, "checksum": "m", "os_hash_algo": "sha512",
        "os_hash_value": "h", "visibility": "private", "disk_format": "raw",
        "container_format": "bare"})
    db = api.rt.store.db_url
    ids = {"job": api.make_job(member, 2, ["FAILED", "SUCCESS"]),
           "rollout": RolloutStore(db).create(
               RolloutEvent(event="start", actor=member.user_id, to_state="running"),
               project_id=member.project_id, user_id=member.user_id, admin=False,
               image_id="1" * 8 + "-1111-1111-1111-" + "1" * 12, image_name="app",
               image_owner=member.project_id, source_region="RegionOne",
               waves=[{"regions": ["RegionTwo"], "verified": True}], auto_approve=False,
               state="waiting_approval", wave=0).id}
    for key, rtype in (("kp_policy", "keypair"), ("sg_policy", "security_group")):
        ids[key] = PolicyStore(db).create(
            project_id=member.project_id, user_id=member.user_id, name=f"{rtype}s",
            resource_type=rtype, source_region="RegionOne", target_regions=["RegionTwo"],
            selector={"all": True}, propagate_deletes=False, repair=True, interval=600,
            enabled=True).id
        with session_scope(db) as s:
            s.add(DriftEvent(project_id=member.project_id, policy_id=ids[key],
                             region="RegionTwo", resource_type=rtype, resource="web",
                             kind="missing", detail="not in target", repaired=False))
    return SimpleNamespace(member=member, reader=reader, ids=ids)


def _path(template: str, ids: dict) -> str:
    return template.format(**ids)


def _get(api, session, path: str) -> str:
    resp = request(api, "GET", path, session=session)
    assert resp.status_int == 200, (path, resp.status, resp.text[:2000])
    assert resp.content_type == "text/html"
    return resp.text


def test_a_reader_sees_every_page_without_the_forms_that_change_something(api, project):
    s = start_session(api, project.reader, user_name="rita")
    for template in PAGES:
        path = _path(template, project.ids)
        html = _get(api, s, path)
        posts = checked(html).posts
        allowed = ALWAYS | READER_MAY.get(template, set())
        assert set(posts) <= allowed, (path, set(posts) - allowed)
        assert ALWAYS <= set(posts), path       # still logs out and switches projects
        assert html.count('name="csrf_token"') == len(posts), path   # no stray form field
        if template in MEMBER_FORMS:            # a page whose actions were taken away says so
            assert html.count(READ_ONLY) == 1, path
    # what there is to read is still there
    ids = project.ids
    keypairs = _get(api, s, "/ui/keypairs")
    assert 'id="policies-table"' in keypairs and 'id="drift-table"' in keypairs
    assert f'data-policy="{ids["kp_policy"]}"' in keypairs and 'data-drift="' in keypairs
    assert "Start the sync" not in keypairs and "Repair" not in keypairs
    images = _get(api, s, "/ui/images")
    assert 'id="images-table"' in images and 'data-state="source"' in images
    assert 'type="checkbox" name="image"' not in images and 'id="project-default"' in images
    rollout = _get(api, s, f"/ui/rollouts/{ids['rollout']}")
    assert 'id="waves-table"' in rollout and 'id="rollout-approve"' not in rollout
    job = _get(api, s, f"/ui/jobs/{ids['job']}")
    assert 'id="tasks-table"' in job and "Retry the failed tasks" not in job
    addresses = _get(api, s, "/ui/addresses")
    assert 'id="plan"' in addresses and 'id="allocate"' not in addresses
    # a live part of a page asks again without its forms as well
    for path, root in ((f"/ui/jobs/{ids['job']}", "job-live"),
                       (f"/ui/rollouts/{ids['rollout']}", "rollout-live")):
        part = request(api, "GET", path, session=s, headers={"X-Albatross-Fragment": "1"})
        assert part.status_int == 200 and f'id="{root}"' in part.text
        assert checked(part.text).posts == [] and READ_ONLY in part.text, path


def test_a_reader_who_posts_anyway_gets_the_apis_answer(api, project):
    """Hiding a form decides nothing: the API still refuses the reader (a 403 page)."""
    s = start_session(api, project.reader)
    resp = request(api, "POST", f"/ui/jobs/{project.ids['job']}/retry", session=s,
                   form={"csrf_token": s.csrf})
    assert resp.status_int == 403
    assert api.rt.dispatcher.dispatched == []


def test_a_member_keeps_every_form(api, project):
    s = start_session(api, project.member)
    for template in PAGES:
        path = _path(template, project.ids)
        html = _get(api, s, path)
        posts = set(checked(html).posts)
        wanted = {_path(a, project.ids) for a in MEMBER_FORMS.get(template, ())} | ALWAYS
        assert wanted <= posts, (path, wanted - posts)
        assert READ_ONLY not in html, path
    job = _get(api, s, f"/ui/jobs/{project.ids['job']}")
    assert re.search(r'<form method="post" action="/ui/jobs/[0-9a-f-]+/retry">'
                     r'<input type="hidden" name="csrf_token" value="[^"]+">'
                     r'<button type="submit">Retry the failed tasks</button></form>', job)
    # and the retry goes through
    resp = request(api, "POST", f"/ui/jobs/{project.ids['job']}/retry", session=s,
                   form={"csrf_token": s.csrf})
    assert resp.status_int == 303 and len(api.rt.dispatcher.dispatched) == 1
    # with a new trust of the member who retried, on the member's project
    assert [(u, p) for u, p, _roles in api.rt.registry.trusts.values()] == \
        [(project.member.user_id, project.member.project_id)]


@pytest.mark.parametrize("roles,admin,can", [
    (["reader"], False, False), ([], False, False), (["member", "reader"], False, True),
    (["member"], False, True), (["admin", "member", "reader"], True, True),
    (["manager", "member", "reader"], False, True),   # Keystone: manager implies member
    (["manager", "reader"], False, False),   # not in the API's default write rules
    (["Member"], False, False),              # role names are compared as the policy does
])
def test_can_write_follows_the_default_write_rules(roles, admin, can):
    session = SimpleNamespace(roles=roles, is_admin=admin)
    page = Page(webob.Request.blank("/ui/"), ui=None, params={}, session=session)
    assert page.can_write is can
    assert Page(webob.Request.blank("/ui/"), ui=None, params={}).can_write is False
