"""Quota routes without regions: who may do what, and bad input named by key."""
import pytest

from tests.functional.test_api import error


@pytest.fixture
def admin(api):
    return api.identity(roles=("admin", "member", "reader"))


@pytest.mark.parametrize("body,field", [
    ({"limits": {"coress": 3}}, "limits.coress"),
    ({"limits": {"cores": -2}}, "limits.cores"),
    ({"limits": {"cores": "ten"}}, "limits.cores"),
    ({"limits": {"cores": 1.5}}, "limits.cores"),
    ({"limits": {"cores": 1.0}}, "limits.cores"),
    ({"soft": {"cores": {"percent": 120}}}, "soft.cores.percent"),
    ({"soft": {"cores": {}}}, "soft.cores"),
    ({"quota_class": "no-such-class"}, "quota_class"),
    ({}, "(body)"),
])
def test_bad_limits_name_the_key(api, admin, body, field):
    target = api.identity()
    resp = api.request("PUT", f"/v1/projects/{target.project_id}/quotas", who=admin, json=body)
    assert resp.status_int == 400, resp.body
    assert error(resp)["field"] == field
    assert api.rt.dispatcher.dispatched == []  # nothing written, nothing started


def test_only_admins_change_limits_and_classes(api, admin):
    member = api.identity()
    path = f"/v1/projects/{member.project_id}/quotas"
    assert api.request("PUT", path, who=member, json={"limits": {"cores": 5}}).status_int == 403
    assert api.request("DELETE", path, who=member).status_int == 403
    assert api.request("POST", path + "/sync", who=member).status_int == 403
    assert api.request("PUT", "/v1/quota-classes/gold", who=member,
                       json={"limits": {"cores": 5}}).status_int == 403
    assert api.request("DELETE", "/v1/quota-classes/gold", who=member).status_int == 403


def test_member_cannot_read_another_projects_quotas(api):
    member, other = api.identity(), api.identity()
    for path in (f"/v1/projects/{other.project_id}/quotas",
                 f"/v1/projects/{other.project_id}/quota-events"):
        assert api.request("GET", path, who=member).status_int == 403
    resp = api.request("GET", f"/v1/projects/{member.project_id}/quota-events", who=member)
    assert resp.status_int == 200 and resp.json == {"events": []}


def test_limits_classes_and_rebalance_jobs(api, admin):
    project = api.identity().project_id
    resp = api.request("PUT", "/v1/quota-classes/gold", who=admin,
                       json={"limits": {"cores": 64, "instances": -1}})
    assert resp.status_int == 200
    limits = resp.json["quota_class"]["limits"]
    assert limits["cores"] == 64 and limits["instances"] == -1 and limits["ram"] == 51200
    resp = api.request("PUT", f"/v1/projects/{project}/quotas", who=admin,
                       json={"limits": {"ram": 1024}, "quota_class": "gold",
                             "soft": {"ram": {"percent": 80}}})
    assert resp.status_int == 202
    job = resp.json["job"]
    assert job["kind"] == "quota_rebalance" and job["tasks"][0]["resource"] == project
    assert api.rt.dispatcher.dispatched == [job["tasks"][0]["id"]]
    from albatross.db.quotas import QuotaStore
    hard, soft, klass = QuotaStore(api.rt.store.db_url).effective(project)
    assert (hard["ram"], hard["cores"], hard["instances"], klass) == (1024, 64, -1, "gold")
    assert soft["ram"][0].threshold(1024) == 820
    assert api.request("DELETE", f"/v1/projects/{project}/quotas?resource=ram",
                       who=admin).status_int == 204
    assert QuotaStore(api.rt.store.db_url).effective(project)[0]["ram"] == 51200
    assert api.request("DELETE", "/v1/quota-classes/gold", who=admin).status_int == 204
    assert api.request("DELETE", "/v1/quota-classes/gold", who=admin).status_int == 404
    resp = api.request("GET", "/v1/quota-classes/default", who=admin)
    assert resp.json["quota_class"]["limits"]["cores"] == 20


def test_view_needs_the_regions(api):
    member = api.identity()
    resp = api.request("GET", f"/v1/projects/{member.project_id}/quotas", who=member)
    assert resp.status_int == 503 and "catalog" in error(resp)["message"]


def test_kingbird_quota_routes(api, admin):
    member = api.identity()
    kb = f"/v1.0/{admin.project_id}/os-quota-sets"
    # the URL's tenant must be the token's
    assert api.request("GET", f"{kb}/defaults", who=member).status_int == 403
    own = f"/v1.0/{member.project_id}/os-quota-sets"
    assert api.request("GET", f"{own}/defaults", who=member).json["quota_set"]["cores"] == 20
    resp = api.request("PUT", f"{own}/{member.project_id}", who=member,
                       json={"quota_set": {"cores": 4}})
    assert resp.status_int == 403
    resp = api.request("PUT", f"{kb}/{member.project_id}", who=admin,
                       json={"quota_set": {"coress": 4}})
    assert resp.status_int == 400 and error(resp)["field"] == "quota_set.coress"
    resp = api.request("PUT", f"{kb}/{member.project_id}", who=admin,
                       json={"quota_set": {"cores": 4, "instances": 2}})
    assert resp.status_int == 200
    assert resp.json == {member.project_id: {"cores": 4, "instances": 2}}
    resp = api.request("PUT", f"{kb}/{member.project_id}/sync", who=admin)
    assert resp.json == f"triggered quota sync for {member.project_id}"
    resp = api.request("DELETE", f"{kb}/{member.project_id}", who=admin,
                       json={"quota_set": ["ram"]})
    assert resp.status_int == 404  # no own value for ram
    resp = api.request("DELETE", f"{kb}/{member.project_id}", who=admin,
                       json={"quota_set": ["cores"]})
    assert resp.json == {"Deleted quota limits": ["cores"]}
    resp = api.request("DELETE", f"{kb}/{member.project_id}", who=admin)
    assert resp.json == "Deleted all quota limits for the given project"
    assert api.request("DELETE", f"{kb}/{member.project_id}", who=admin).status_int == 404
    cls = f"/v1.0/{admin.project_id}/os-quota-class-sets"
    resp = api.request("GET", f"{cls}/silver", who=admin)
    assert resp.json["quota_class_set"]["class_name"] == "silver"
    resp = api.request("PUT", f"{cls}/silver", who=admin, json={"quota_class_set": {"ram": 7}})
    assert resp.json["quota_class_set"]["ram"] == 7
    assert api.request("DELETE", f"{cls}/silver", who=admin).status_int == 200
    assert api.request("DELETE", f"{cls}/silver", who=admin).status_int == 404
