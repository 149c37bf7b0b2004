"""Keypair cloning end to end: real Keystone tokens, the HTTP API, real Nova in each region."""
import pytest
from openstack import exceptions as sdk_exc

from tests.integration.conftest import public_key, wait_job

pytestmark = pytest.mark.devcloud


def _sync(user, source, targets, names, **extra):
    return user.call("POST", "/v1/keypairs/sync",
                     json={"source_region": source, "target_regions": targets,
                           "keypairs": names, **extra})


def _key_in(user, region, name):
    try:
        return user.conn(region).compute.get_keypair(name).public_key
    except sdk_exc.NotFoundException:
        return None


def test_member_clones_to_all_regions_and_rerun_writes_nothing(users, regions):
    demo = users["demo"]
    name, key = demo.new_keypair(regions[0])
    resp = _sync(demo, regions[0], "all", [name])
    assert resp.status_code == 202, resp.text
    job = wait_job(demo, resp.json()["job"]["id"])
    assert job["status"] == "SUCCESS", job
    assert {t["target_region"] for t in job["tasks"]} == set(regions[1:])
    for task in job["tasks"]:
        assert task["result"]["written"] is True and task["duration_ms"] is not None
        assert _key_in(demo, task["target_region"], name) == key
    again = wait_job(demo, _sync(demo, regions[0], regions[1:], [name]).json()["job"]["id"])
    assert again["status"] == "SUCCESS"
    assert [t["result"]["written"] for t in again["tasks"]] == [False] * (len(regions) - 1)


def test_different_key_conflicts_without_force_and_is_replaced_with_it(users, regions):
    demo = users["demo"]
    name, key = demo.new_keypair(regions[0])
    other = demo.conn(regions[1]).compute.create_keypair(
        name=name, public_key=public_key()).public_key
    job = wait_job(demo, _sync(demo, regions[0], [regions[1]], [name]).json()["job"]["id"])
    [task] = job["tasks"]
    assert job["status"] == "FAILED" and task["status"] == "FAILED"
    assert "different public key" in task["error"] and "force" in task["error"]
    assert _key_in(demo, regions[1], name) == other  # untouched
    forced = _sync(demo, regions[0], [regions[1]], [name], force=True).json()["job"]["id"]
    job = wait_job(demo, forced)
    assert job["status"] == "SUCCESS" and job["tasks"][0]["result"]["action"] == "replace"
    assert _key_in(demo, regions[1], name) == key


def test_admin_clones_a_users_keypair_by_user_id(users, regions):
    demo, admin = users["demo"], users["admin"]
    name, key = demo.new_keypair(regions[0])
    resp = _sync(admin, regions[0], [regions[1]], [name], user_id=demo.user_id)
    assert resp.status_code == 202, resp.text
    assert wait_job(admin, resp.json()["job"]["id"])["status"] == "SUCCESS"
    assert _key_in(demo, regions[1], name) == key
    # a member may not name another user
    resp = _sync(users["alt"], regions[0], [regions[1]], [name], user_id=demo.user_id)
    assert resp.status_code == 403


def test_bad_requests_name_the_problem_and_write_nothing(users, regions):
    demo = users["demo"]
    name, _key = demo.new_keypair(regions[0])
    before = len(demo.call("GET", "/v1/jobs?limit=1000").json()["jobs"])
    cases = [
        ({"source_region": "Atlantis", "target_regions": [regions[1]], "keypairs": [name]},
         400, "source_region"),
        ({"source_region": regions[0], "target_regions": [regions[1], "Mu"], "keypairs": [name]},
         400, "target_regions"),
        ({"source_region": regions[0], "target_regions": [regions[0]], "keypairs": [name]},
         400, "target_regions"),
        ({"source_region": regions[0], "target_regions": [regions[1]],
          "keypairs": [name, "no-such-keypair"]}, 404, "keypairs"),
        ({"source_region": regions[0], "target_regions": [regions[1]], "keypairs": name},
         400, "keypairs"),
        ({"source_region": regions[0], "target_regions": [regions[1]],
          "keypairs": ["x" * 10000]}, 400, "keypairs[0]"),
    ]
    for body, status, field in cases:
        resp = demo.call("POST", "/v1/keypairs/sync", json=body)
        assert resp.status_code == status, (body, resp.text)
        assert resp.json()["error"]["field"] == field
    resp = demo.call("POST", "/v1/keypairs/sync", data=b"{" * 400000,
                     headers={"Content-Type": "application/json"})
    assert resp.status_code == 413
    assert len(demo.call("GET", "/v1/jobs?limit=1000").json()["jobs"]) == before
    assert "no-such-keypair" in demo.call(
        "POST", "/v1/keypairs/sync", json=cases[3][0]).json()["error"]["message"]


def test_another_project_cannot_see_or_act_on_a_job(users, regions):
    demo, alt, reader = users["demo"], users["alt"], users["demo-reader"]
    name, _ = demo.new_keypair(regions[0])
    job_id = _sync(demo, regions[0], [regions[1]], [name]).json()["job"]["id"]
    wait_job(demo, job_id)
    for method, path in (("GET", f"/v1/jobs/{job_id}"), ("DELETE", f"/v1/jobs/{job_id}"),
                         ("POST", f"/v1/jobs/{job_id}/retry")):
        assert alt.call(method, path).status_code == 404
    assert job_id not in alt.call("GET", "/v1/jobs").text
    assert alt.call("GET", "/v1/jobs?all_projects=true").status_code == 403
    kb = f"/v1.0/{demo.project_id}/os-sync"
    for method, path in (("GET", kb), ("GET", kb + "/active"), ("GET", f"{kb}/{job_id}"),
                         ("DELETE", f"{kb}/{job_id}"), ("POST", kb)):
        assert alt.call(method, path, json={}).status_code == 403, (method, path)
    assert alt.call("GET", f"/v1.0/{alt.project_id}/os-sync/{job_id}").status_code == 404
    # alt cannot copy demo's keypair: alt's own namespace has no such keypair
    resp = _sync(alt, regions[0], [regions[1]], [name])
    assert resp.status_code == 404
    # a reader of demo's project sees the job but cannot change anything
    assert reader.call("GET", f"/v1/jobs/{job_id}").status_code == 200
    assert reader.call("DELETE", f"/v1/jobs/{job_id}").status_code == 403
    assert _sync(reader, regions[0], [regions[1]], [name]).status_code == 403
    # the admin sees it across projects
    admin = users["admin"]
    assert admin.call("GET", f"/v1/jobs/{job_id}").status_code == 200
    assert job_id in admin.call("GET", "/v1/jobs?all_projects=true&limit=1000").text


def test_regions_route_shows_every_region_with_health(users, regions):
    body = users["demo"].call("GET", "/v1/regions").json()
    assert [r["name"] for r in body["regions"]] == sorted(regions)
    for region in body["regions"]:
        types = {s["type"] for s in region["services"]}
        assert {"compute", "image", "network", "placement"} <= types
        assert region["status"] == "up"
