"""Sync policies on the real dev cloud: audits report drift, repair it, follow the source,
propagate deletes only when told, survive a region outage, and stay inside their project."""
import time

import pytest

from tests.integration.conftest import public_key, wait_job
from tests.integration.test_secgroup_sync import build_source, canonical, rule_ids

pytestmark = pytest.mark.devcloud


@pytest.fixture
def member(project, albatross):
    return project.api_member(albatross.url)


def create_policy(user, **body):
    body = {"resource_type": "security_group", "enabled": False, **body}
    resp = user.call("POST", "/v1/sync-policies", json=body)
    assert resp.status_code == 201, resp.text
    return resp.json()["policy"]


def audit(user, policy_id):
    resp = user.call("POST", f"/v1/sync-policies/{policy_id}/audit")
    assert resp.status_code == 202, resp.text
    return wait_job(user, resp.json()["job"]["id"])


def drift(user, policy_id):
    resp = user.call("GET", "/v1/drift", params={"policy_id": policy_id})
    assert resp.status_code == 200, resp.text
    return resp.json()["drift"]


def test_audit_follows_source_changes_and_removes_hand_made_rules(member, project, regions):
    src, dst = regions[0], regions[1]
    made = build_source(member.conn(src), project.tag)
    web = made["web"].name
    policy = create_policy(member, name="web", source_region=src, target_regions=[dst],
                           names=[web])
    assert audit(member, policy["id"])["status"] == "SUCCESS"
    assert canonical(member.conn(dst), project.id, made["names"]) == \
        canonical(member.conn(src), project.id, made["names"])

    net = member.conn(src).network
    added = net.create_security_group_rule(
        security_group_id=made["web"].id, direction="ingress", ethertype="IPv4",
        protocol="tcp", port_range_min=9000, port_range_max=9100,
        remote_ip_prefix="198.51.100.0/24")
    ssh = next(r for r in net.get_security_group(made["web"].id).security_group_rules
               if r["port_range_min"] == 22)
    net.delete_security_group_rule(ssh["id"])
    job = audit(member, policy["id"])
    assert job["status"] == "SUCCESS"
    assert job["tasks"][0]["result"]["rules_added"] == 1
    assert job["tasks"][0]["result"]["rules_removed"] == 1
    assert canonical(member.conn(dst), project.id, made["names"]) == \
        canonical(member.conn(src), project.id, made["names"])
    assert added.id not in rule_ids(member.conn(dst), project.id)  # a copy, not the source

    copy = member.conn(dst).network.find_security_group(web, project_id=project.id)
    by_hand = member.conn(dst).network.create_security_group_rule(
        security_group_id=copy.id, direction="ingress", ethertype="IPv4", protocol="tcp",
        port_range_min=3389, port_range_max=3389, remote_ip_prefix="0.0.0.0/0")
    assert audit(member, policy["id"])["status"] == "SUCCESS"
    assert by_hand.id not in rule_ids(member.conn(dst), project.id)
    [event] = [e for e in drift(member, policy["id"]) if "3389" in (e["detail"] or "")]
    assert event["kind"] == "extra" and event["region"] == dst and event["repaired"] is True
    assert event["resource"] == web


def test_report_only_policy_reports_without_writing(member, project, regions):
    src, dst = regions[0], regions[1]
    made = build_source(member.conn(src), project.tag)
    policy = create_policy(member, name="look", source_region=src, target_regions=[dst],
                           names=[made["web"].name], repair=False)
    job = audit(member, policy["id"])
    assert job["status"] == "SUCCESS" and job["tasks"][0]["result"]["writes"] == 0
    assert not [g for g in member.conn(dst).network.security_groups(project_id=project.id)
                if g.name in made["names"]]
    kinds = {(e["kind"], e["resource"], e["repaired"]) for e in drift(member, policy["id"])}
    assert ("missing", made["web"].name, False) in kinds


def test_region_down_during_audit_is_reported_and_caught_up(member, project, regions,
                                                             devcloud):
    src, ok, down = regions[0], regions[1], regions[2]
    made = build_source(member.conn(src), project.tag)
    policy = create_policy(member, name="all", source_region=src, target_regions=[ok, down],
                           all=True)
    cloud = devcloud["cloud"]
    cloud.stop_service(down, "neutron")
    try:
        job = audit(member, policy["id"])
    finally:
        cloud.start_service(down, "neutron")
    by_region = {t["target_region"]: t for t in job["tasks"]}
    assert by_region[ok]["status"] == "SUCCESS" and by_region[down]["status"] == "FAILED"
    assert "unreachable" in by_region[down]["error"]
    assert [e["region"] for e in drift(member, policy["id"]) if e["kind"] == "unreachable"] \
        == [down]
    job = audit(member, policy["id"])
    assert job["status"] == "SUCCESS", job
    again = audit(member, policy["id"])
    assert [t["result"]["writes"] for t in again["tasks"]] == [0, 0]
    for region in (ok, down):  # canonical() asserts each name exists once
        assert canonical(member.conn(region), project.id, made["names"]) == \
            canonical(member.conn(src), project.id, made["names"])


def test_deletes_propagate_only_when_the_policy_says_so(member, project, regions):
    src, dst = regions[0], regions[1]
    net = member.conn(src).network
    keep = net.create_security_group(name=f"{project.tag}-keep")
    drop = net.create_security_group(name=f"{project.tag}-drop")
    keeper = create_policy(member, name="keeper", source_region=src, target_regions=[dst],
                           names=[keep.name])
    dropper = create_policy(member, name="dropper", source_region=src, target_regions=[dst],
                            names=[drop.name], propagate_deletes=True)
    for p in (keeper, dropper):
        assert audit(member, p["id"])["status"] == "SUCCESS"
    net.delete_security_group(keep)
    net.delete_security_group(drop)
    for p in (keeper, dropper):
        assert audit(member, p["id"])["status"] == "SUCCESS"
    names = {g.name for g in member.conn(dst).network.security_groups(project_id=project.id)}
    assert keep.name in names and drop.name not in names
    assert {e["kind"] for e in drift(member, keeper["id"])} >= {"deleted"}


def test_keypair_policy_runs_periodically_and_propagates_deletes(member, project, regions):
    src, dst = regions[0], regions[1]
    name = f"{project.tag}-key"
    member.conn(src).compute.create_keypair(name=name, public_key=public_key())
    policy = create_policy(member, name="keys", resource_type="keypair", source_region=src,
                           target_regions=[dst], all=True, propagate_deletes=True,
                           enabled=True)
    deadline = time.monotonic() + 60
    while member.call("GET", f"/v1/sync-policies/{policy['id']}").json()["policy"][
            "last_job_id"] is None:
        assert time.monotonic() < deadline, "the periodic audit never started"
        time.sleep(0.5)
    job_id = member.call("GET", f"/v1/sync-policies/{policy['id']}").json()["policy"][
        "last_job_id"]
    job = wait_job(member, job_id)
    assert job["status"] == "SUCCESS" and job["origin"] == "periodic", job
    assert member.conn(dst).compute.get_keypair(name).name == name
    member.conn(src).compute.delete_keypair(name)
    assert audit(member, policy["id"])["status"] == "SUCCESS"
    assert name not in {k.name for k in member.conn(dst).compute.keypairs()}


def test_policies_stay_inside_their_project(member, users, regions):
    policy = create_policy(member, name="mine", source_region=regions[0],
                           target_regions=[regions[1]], all=True)
    alt = users["alt"]
    for method, path in (("GET", f"/v1/sync-policies/{policy['id']}"),
                         ("DELETE", f"/v1/sync-policies/{policy['id']}"),
                         ("POST", f"/v1/sync-policies/{policy['id']}/audit")):
        assert alt.call(method, path).status_code == 404
    assert policy["id"] not in [p["id"] for p in
                                alt.call("GET", "/v1/sync-policies").json()["policies"]]
    assert alt.call("GET", "/v1/drift", params={"policy_id": policy["id"]}).status_code == 404
    assert alt.call("GET", "/v1/drift", params={"all_projects": "true"}).status_code == 403
