"""The dashboard's keypair / security group and quota pages: form values to API bodies (the
dashboard only splits lists and turns numbers into numbers; the API validates the rest), drift
pages filtered by resource type over the API's mixed pages, the quota rows' bars, and the
templates rendered with hostile names."""
import re
from types import SimpleNamespace

import pytest

from albatross.ui import charts, render
from albatross.ui.pages import quotas, sync
from albatross.ui.pages.sync import KEYPAIRS, SECGROUPS

XSS = "<script>alert(1)</script>"


@pytest.mark.parametrize("text,names", [
    ("", []), (None, []), ("a", ["a"]), ("a, b ,c", ["a", "b", "c"]),
    ("a\nb\r\n\n c ", ["a", "b", "c"]), ("my key, a,a", ["my key", "a"]), (" , ,\n", []),
])
def test_split_names(text, names):
    assert sync.split_names(text) == names


def test_target_regions_all_wins_over_ticked_regions():
    assert sync.target_regions({"target": ["R2"], "all_regions": "1"}) == "all"
    assert sync.target_regions({"target": ["R2", "R3"]}) == ["R2", "R3"]
    assert sync.target_regions({}) == []


def test_keypair_sync_body():
    form = {"source": "R1", "target": ["R2", "R3"], "names": "k1\nk2, k3", "force": "1"}
    assert sync.sync_body(KEYPAIRS, form) == {
        "source_region": "R1", "target_regions": ["R2", "R3"],
        "keypairs": ["k1", "k2", "k3"], "force": True}


def test_keypair_sync_body_leaves_validation_to_the_api():
    # nothing named, nothing ticked: the body goes as it is and the API's 400 names the field
    assert sync.sync_body(KEYPAIRS, {"source": "R1"}) == {
        "source_region": "R1", "target_regions": [], "keypairs": []}
    assert sync.sync_body(KEYPAIRS, {"source": "R1", "all_regions": "1", "names": "k",
                                     "user_id": "u1"})["user_id"] == "u1"


def test_secgroup_sync_body():
    form = {"source": "R1", "all_regions": "1", "names": "web, 3f1c", "tags": "tier-web"}
    assert sync.sync_body(SECGROUPS, form) == {
        "source_region": "R1", "target_regions": "all", "security_groups": ["web", "3f1c"],
        "tags": ["tier-web"]}
    body = sync.sync_body(SECGROUPS, {"source": "R1", "target": ["R2"], "all": "1",
                                      "project_id": "p2"})
    assert body == {"source_region": "R1", "target_regions": ["R2"], "all": True,
                    "project_id": "p2"}
    assert "force" not in sync.sync_body(SECGROUPS, {"force": "1"})


def test_policy_body():
    form = {"name": "web-tier", "source": "R1", "target": ["R2"], "tags": "web",
            "propagate_deletes": "1", "interval": "600"}
    assert sync.policy_body(SECGROUPS, form) == {
        "name": "web-tier", "resource_type": "security_group", "source_region": "R1",
        "target_regions": ["R2"], "propagate_deletes": True, "repair": True,
        "tags": ["web"], "interval": 600}
    body = sync.policy_body(KEYPAIRS, {"name": "k", "source": "R1", "all_regions": "1",
                                       "all": "1", "report_only": "1", "interval": "soon"})
    assert body["resource_type"] == "keypair" and body["all"] is True
    assert body["repair"] is False and body["propagate_deletes"] is False
    assert body["interval"] == "soon"  # not a number: the API's 400 names `interval`


def test_limits_body():
    form = {"limit_cores": "8", "limit_ram": "", "limit_instances": "-1",
            "soft_pct_cores": "75", "soft_abs_ram": "1000", "soft_pct_ram": "12.5",
            "quota_class": "gold"}
    assert quotas.limits_body(form, ["cores", "ram", "instances"]) == {
        "limits": {"cores": 8, "instances": -1},
        "soft": {"cores": {"percent": 75}, "ram": {"absolute": 1000, "percent": 12.5}},
        "quota_class": "gold"}


def test_limits_body_empty_and_not_numbers():
    assert quotas.limits_body({"limit_cores": ""}, ["cores"]) == {}
    # text that is no number goes to the API as it is: its 400 names limits.cores
    assert quotas.limits_body({"limit_cores": "lots"}, ["cores"]) == {
        "limits": {"cores": "lots"}}
    assert quotas.limits_body({"quota_class": "default"}, []) == {"quota_class": "default"}


def test_class_body():
    assert quotas.class_body({"limit_cores": "64", "limit_ram": ""}, ["cores", "ram"]) == {
        "limits": {"cores": 64}}


VIEW = {
    "project_id": "p1", "quota_class": "default", "complete": False,
    "regions": {"R2": {"status": "ok"}, "R1": {"status": "ok"},
                "R3": {"status": "unreachable", "error": "connect timeout"}},
    "resources": {
        "cores": {"limit": 20, "soft_limit": 10, "usage": {"R1": 6, "R2": 6, "R3": None},
                  "total_usage": 12, "remaining": 8,
                  "regional_limits": {"R1": 9, "R2": 9, "R3": None}},
        "ram": {"limit": -1, "soft_limit": None, "usage": {"R1": 0, "R2": 5, "R3": None},
                "total_usage": 5, "remaining": None,
                "regional_limits": {"R1": -1, "R2": -1, "R3": None}},
        "key_pairs": {"limit": 2, "soft_limit": None, "usage": {"R1": 2, "R2": 1, "R3": None},
                      "total_usage": 3, "remaining": -1,
                      "regional_limits": {"R1": 2, "R2": 2, "R3": None}},
    }}


def test_region_legend_has_one_colour_per_region_in_a_fixed_order():
    legend = quotas.region_legend(VIEW)
    assert [r["name"] for r in legend] == ["R1", "R2", "R3"]
    assert [r["colour"] for r in legend] == [charts.colour(i) for i in range(3)]
    assert legend[2]["status"] == "unreachable" and legend[2]["error"] == "connect timeout"


def test_quota_rows():
    rows = {r["name"]: r for r in quotas.quota_rows(VIEW)}
    cores = rows["cores"]
    assert cores["state"] == "soft"
    # the same colour for a region in every bar, whether it answered or not
    assert [(s.label, s.colour, s.value) for s in cores["bar"].segments] == [
        ("R1", charts.colour(0), 6), ("R2", charts.colour(1), 6), ("R3", charts.colour(2), 0)]
    assert cores["bar"].limit_x == cores["bar"].width
    assert cores["bar"].soft_x == cores["bar"].width / 2
    assert cores["usage"] == [("R1", 6), ("R2", 6), ("R3", None)]
    assert rows["ram"]["state"] == "" and rows["ram"]["bar"].limit_x is None
    assert rows["key_pairs"]["state"] == "over" and rows["key_pairs"]["per_region"]


def _env():
    env = render.make_env()
    env.globals.update(refresh_ms=2000, default_domain="Default")
    return env


def _session(admin=False):
    return SimpleNamespace(csrf="TOKEN", is_admin=admin, project_id="p1", project_name="demo",
                           user_name="demo", roles=["member"],
                           projects=[{"id": "p1", "name": "demo"}])


def _render(template, **context):
    """The page as Page.render makes it (a CSRF context variable, where render has one)."""
    var = getattr(render, "CURRENT_CSRF", None)
    token = var.set("TOKEN") if var is not None else None
    try:
        return _env().get_template(template).render(page=None, flash=None, **context)
    finally:
        if var is not None:
            var.reset(token)


def _check(html):
    assert "<script>alert" not in html
    assert "style=" not in html
    assert not re.search(r"<script>(?!</script>)", html.replace(
        '<script src="/ui/static/albatross.js" defer></script>', ""))
    for form in re.findall(r'<form method="post".*?</form>', html, re.S):
        assert 'name="csrf_token" value="TOKEN"' in form


@pytest.mark.parametrize("admin", [False, True])
def test_quota_templates_render_escaped(admin):
    view = {**VIEW, "quota_class": XSS}
    legend = quotas.region_legend(view)
    html = _render(
        "quotas.html", session=_session(admin), project_id="p1", project_name=XSS,
        quota=view, rows=quotas.quota_rows(view), legend=legend,
        down=[r for r in legend if r["status"] != "ok"], self_url="/ui/quotas",
        events=[{"id": 1, "kind": "soft_crossed", "resource": "cores", "usage": 12,
                 "threshold": 10, "hard_limit": 20, "detail": XSS,
                 "created_at": "2026-11-30T04:00:00Z"}], events_error=None)
    _check(html)
    assert ('id="quota-admin"' in html) is admin
    assert "connect timeout" in html and 'class="sortable" id="quotas-table"' in html


@pytest.mark.parametrize("kind", [KEYPAIRS, SECGROUPS])
def test_sync_templates_render_escaped(kind):
    policy = {"id": "pid", "name": XSS, "resource_type": kind.resource_type,
              "source_region": "R1", "target_regions": "all",
              "selector": {"all": False, "names": [XSS], "tags": []},
              "propagate_deletes": False, "repair": True, "interval": 600, "enabled": True,
              "last_audit_at": None, "last_job_id": None}
    drift = [{"id": 5, "policy_id": "pid", "job_id": "j1", "region": "R2",
              "resource_type": "keypair", "resource": XSS, "kind": "missing",
              "detail": XSS, "repaired": False, "created_at": "2026-11-30T04:00:00Z"}]
    html = _render(
        kind.template, session=_session(), kind=kind, regions=["R1", "R2"], source="R1",
        policies=[policy], policies_error=None, policy_by_id={"pid": policy}, drift=drift,
        drift_error=None, filters={"region": "", "all_projects": ""},
        next_url="/ui/x?marker=5#drift", first_url=None)
    _check(html)
    assert 'id="drift"' in html
    assert f'action="/ui/{kind.slug}/policies/pid/audit"' in html
    assert 'rel="next"' in html
