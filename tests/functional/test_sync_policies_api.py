"""Sync policies, drift and security group sync through the API, without regions: tenant
isolation, policy (RBAC) and field-named 400s."""
import json

import pytest

from albatross.db.engine import session_scope
from albatross.db.models import DriftEvent
from albatross.db.policies import PolicyStore


def error(resp):
    return json.loads(resp.body)["error"]


def make_policy(api, who, name="p") -> str:
    return PolicyStore(api.rt.store.db_url).create(
        project_id=who.project_id, user_id=who.user_id, name=name,
        resource_type="security_group", source_region="RegionOne",
        target_regions=["RegionTwo"], selector={"all": True}, propagate_deletes=False,
        repair=True, interval=600, enabled=True).id


def make_drift(api, who, policy_id, region="RegionTwo", resource_type="security_group"):
    with session_scope(api.rt.store.db_url) as s:
        s.add(DriftEvent(project_id=who.project_id, policy_id=policy_id, region=region,
                         resource_type=resource_type, resource="web", kind="extra",
                         detail="ingress IPv4 tcp 22-22 0.0.0.0/0", repaired=True))


def test_another_project_neither_sees_nor_touches_a_policy(api):
    owner, other = api.identity(), api.identity()
    policy_id = make_policy(api, owner)
    make_drift(api, owner, policy_id)
    got = api.request("GET", f"/v1/sync-policies/{policy_id}", who=owner)
    assert got.status_int == 200 and got.json["policy"]["selector"]["all"] is True
    for method, path in (("GET", f"/v1/sync-policies/{policy_id}"),
                         ("DELETE", f"/v1/sync-policies/{policy_id}"),
                         ("POST", f"/v1/sync-policies/{policy_id}/audit")):
        resp = api.request(method, path, who=other)
        assert resp.status_int == 404 and error(resp)["field"] == "policy_id", (method, path)
    assert api.request("GET", "/v1/sync-policies", who=other).json == {"policies": []}
    assert api.request("GET", "/v1/drift", who=other).json == {"drift": []}
    assert api.request("GET", f"/v1/drift?policy_id={policy_id}", who=other).status_int == 404
    assert api.request("GET", "/v1/drift?all_projects=true", who=other).status_int == 403
    [event] = api.request("GET", "/v1/drift", who=owner).json["drift"]
    assert event["kind"] == "extra" and event["policy_id"] == policy_id
    assert api.request("GET", f"/v1/sync-policies/{policy_id}", who=owner).status_int == 200


def test_drift_filtered_by_resource_type(api):
    owner = api.identity()
    policy_id = make_policy(api, owner)
    for resource_type in ("keypair", "security_group", "rule", "keypair"):
        make_drift(api, owner, policy_id, resource_type=resource_type)

    def types(query):
        resp = api.request("GET", f"/v1/drift?{query}", who=owner)
        assert resp.status_int == 200, resp.text
        return [d["resource_type"] for d in resp.json["drift"]]
    assert types("resource_type=keypair") == ["keypair", "keypair"]
    assert types("resource_type=security_group,rule") == ["rule", "security_group"]
    assert types("resource_type=keypair&limit=1") == ["keypair"]
    assert len(types("")) == 4
    for bad in ("Keypair", "keypair,", "key%20pair", "x" * 40):
        resp = api.request("GET", f"/v1/drift?resource_type={bad}", who=owner)
        assert resp.status_int == 400 and error(resp)["field"] == "resource_type", bad


def test_reader_reads_but_cannot_change_policies(api):
    member = api.identity()
    reader = api.identity(roles=("reader",), project_id=member.project_id)
    policy_id = make_policy(api, member)
    assert api.request("GET", f"/v1/sync-policies/{policy_id}", who=reader).status_int == 200
    assert api.request("GET", "/v1/drift", who=reader).status_int == 200
    for method, path in (("DELETE", f"/v1/sync-policies/{policy_id}"),
                         ("POST", f"/v1/sync-policies/{policy_id}/audit")):
        assert api.request(method, path, who=reader).status_int == 403
    body = {"name": "x", "resource_type": "keypair", "source_region": "R1",
            "target_regions": ["R2"], "all": True}
    assert api.request("POST", "/v1/sync-policies", who=reader, json=body).status_int == 403
    assert api.request("POST", "/v1/security-groups/sync", who=reader, json={
        "source_region": "R1", "target_regions": ["R2"], "all": True}).status_int == 403
    assert api.request("DELETE", f"/v1/sync-policies/{policy_id}", who=member).status_int == 204
    assert api.request("GET", f"/v1/sync-policies/{policy_id}", who=member).status_int == 404


def test_admin_sees_every_projects_drift_only_when_asked(api):
    a = api.identity()
    admin = api.identity(roles=("admin", "member", "reader"))
    make_drift(api, a, make_policy(api, a))
    assert api.request("GET", "/v1/drift", who=admin).json["drift"] == []
    assert len(api.request("GET", "/v1/drift?all_projects=true", who=admin).json["drift"]) == 1


_POLICY = {"name": "p", "resource_type": "security_group", "source_region": "R1",
           "target_regions": ["R2"], "all": True}


@pytest.mark.parametrize("change,field", [
    ({"name": None}, "name"),
    ({"resource_type": "image"}, "resource_type"),
    ({"target_regions": []}, "target_regions"),
    ({"interval": 5}, "interval"),
    ({"all": None}, "names"),
    ({"names": ["a"]}, "all"),
    ({"all": None, "resource_type": "keypair", "tags": ["t"]}, "tags"),
    ({"colour": "red"}, "colour"),
])
def test_bad_policy_bodies_name_the_field(api, change, field):
    body = {k: v for k, v in {**_POLICY, **change}.items() if v is not None}
    resp = api.request("POST", "/v1/sync-policies", who=api.identity(), json=body)
    assert resp.status_int == 400, resp.body
    assert error(resp)["field"] == field


@pytest.mark.parametrize("body,field", [
    ({"target_regions": ["R2"], "all": True}, "source_region"),
    ({"source_region": "R1", "target_regions": ["R2"]}, "security_groups"),
    ({"source_region": "R1", "target_regions": ["R2"], "security_groups": []},
     "security_groups"),
    ({"source_region": "R1", "target_regions": "R2", "all": True}, "target_regions"),
])
def test_bad_secgroup_sync_bodies_name_the_field(api, body, field):
    resp = api.request("POST", "/v1/security-groups/sync", who=api.identity(), json=body)
    assert resp.status_int == 400, resp.body
    assert error(resp)["field"] == field


def test_member_cannot_sync_another_projects_groups(api):
    me, other = api.identity(), api.identity()
    resp = api.request("POST", "/v1/security-groups/sync", who=me, json={
        "source_region": "R1", "target_regions": ["R2"], "all": True,
        "project_id": other.project_id})
    assert resp.status_int == 403


def test_policies_are_capped_per_project_and_listed_in_pages(api):
    """Finding 6: no cap, and one unpaged list."""
    api.rt.conf.set_override("max_policies_per_project", 3, group="sync")
    me = api.identity()
    made = [make_policy(api, me, f"p{i}") for i in range(3)]
    resp = api.request("POST", "/v1/sync-policies", who=me, json={
        "name": "one-more", "resource_type": "keypair", "source_region": "RegionOne",
        "target_regions": ["RegionTwo"], "all": True})
    assert resp.status_int == 409 and "3 sync policies" in error(resp)["message"]
    first = api.request("GET", "/v1/sync-policies?limit=2", who=me).json["policies"]
    assert [p["id"] for p in first] == made[:2]
    rest = api.request("GET", f"/v1/sync-policies?limit=2&marker={made[1]}", who=me)
    assert [p["id"] for p in rest.json["policies"]] == made[2:]
    assert api.request("GET", "/v1/sync-policies?limit=0", who=me).status_int == 400
