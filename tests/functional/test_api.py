"""API behaviour that needs no region: auth, policy, tenant isolation, validation, errors."""
import json

import pytest

from albatross.api.deploy import all_routes

PRIVATE_ROUTES = [(r.method, r.path) for r in all_routes() if not r.public]


def _path(path, project="p" * 32, job="00000000-0000-0000-0000-000000000000"):
    return path.replace("{project_id}", project).replace("{job_id}", job)


def error(resp):
    body = json.loads(resp.body)
    assert set(body) == {"error"}, body
    return body["error"]


def test_versions_and_openapi_are_public(api):
    assert api.request("GET", "/").json["versions"][0]["id"] == "v1"
    assert api.request("GET", "/v1").json["version"]["status"] == "CURRENT"
    doc = api.request("GET", "/v1/openapi.json").json
    documented = {(m.upper(), p) for p, ops in doc["paths"].items() for m in ops}
    assert {(r.method, r.path) for r in all_routes()} == documented


@pytest.mark.parametrize("method,path", PRIVATE_ROUTES)
def test_every_private_route_wants_a_token(api, method, path):
    resp = api.request(method, _path(path))
    assert resp.status_int == 401
    assert "X-Auth-Token" in error(resp)["message"]
    bad = api.request(method, _path(path), headers={"X-Auth-Token": "not-a-token"})
    assert bad.status_int == 401


def test_unknown_path_and_method(api):
    me = api.identity()
    assert error(api.request("GET", "/v1/nothing", who=me))["status"] == 404
    resp = api.request("PUT", "/v1/jobs", who=me)
    assert resp.status_int == 405 and resp.headers["Allow"] == "GET"


def test_a_jobs_tasks_come_in_bounded_pages(api):
    """A job over thousands of regions is shown a page of tasks at a time, its counts whole
    (tasks_limit=0: the counts alone, as a progress bar polls them)."""
    owner, other = api.identity(), api.identity()
    job_id = api.make_job(owner, 5, ["SUCCESS", "SUCCESS", "FAILED", "QUEUED", "QUEUED"])
    path = f"/v1/jobs/{job_id}"
    whole = api.request("GET", path, who=owner).json["job"]
    assert len(whole["tasks"]) == 5 and "tasks_next" not in whole
    counts = api.request("GET", path + "?tasks_limit=0", who=owner).json["job"]
    assert "tasks" in counts and counts["tasks"] == [] and "tasks_next" not in counts
    assert counts["task_counts"] == whole["task_counts"] and counts["task_counts"]["QUEUED"] == 2
    seen, marker = [], None
    while True:
        query = "?tasks_limit=2" + (f"&tasks_marker={marker}" if marker else "")
        page = api.request("GET", path + query, who=owner).json["job"]
        seen += [t["id"] for t in page["tasks"]]
        marker = page.get("tasks_next")
        if marker is None:
            break
        assert marker == page["tasks"][-1]["id"] and len(page["tasks"]) == 2
    assert seen == [t["id"] for t in whole["tasks"]]
    alien = "00000000-0000-0000-0000-000000000000"
    bad = api.request("GET", f"{path}?tasks_marker={alien}", who=owner)
    assert bad.status_int == 400 and error(bad)["field"] == "tasks_marker"
    assert api.request("GET", f"{path}?tasks_marker={alien}", who=other).status_int == 404
    assert api.request("GET", f"{path}?tasks_limit=1001", who=owner).status_int == 400


def test_other_project_cannot_see_or_touch_a_job(api):
    owner, other = api.identity(), api.identity()
    job_id = api.make_job(owner, 2, ["FAILED", "SUCCESS"])
    assert api.request("GET", f"/v1/jobs/{job_id}", who=owner).status_int == 200
    for method, path in (("GET", f"/v1/jobs/{job_id}"), ("DELETE", f"/v1/jobs/{job_id}"),
                         ("POST", f"/v1/jobs/{job_id}/retry")):
        resp = api.request(method, path, who=other)
        assert resp.status_int == 404, (method, path)
        assert job_id not in error(resp)["message"] or "not found" in error(resp)["message"]
    assert api.request("GET", "/v1/jobs", who=other).json == {"jobs": []}
    # Kingbird routes: another project's id in the URL is refused, its own shows nothing
    kb = f"/v1.0/{owner.project_id}/os-sync"
    for method, path in (("GET", kb), ("GET", kb + "/active"), ("GET", f"{kb}/{job_id}"),
                         ("DELETE", f"{kb}/{job_id}")):
        assert api.request(method, path, who=other).status_int == 403, (method, path)
    own = f"/v1.0/{other.project_id}/os-sync/{job_id}"
    assert api.request("GET", own, who=other).status_int == 404
    assert api.request("DELETE", own, who=other).status_int == 404
    # and the job is untouched
    assert api.request("GET", f"/v1/jobs/{job_id}", who=owner).json["job"]["status"] == "FAILED"


def test_other_project_cannot_start_work_in_my_name(api):
    owner, other = api.identity(), api.identity()
    body = {"resource_set": {"resource_type": "keypair", "resources": ["k"],
                             "source": "RegionOne", "target": ["RegionTwo"]}}
    resp = api.request("POST", f"/v1.0/{owner.project_id}/os-sync", who=other, json=body)
    assert resp.status_int == 403 and error(resp)["field"] == "project_id"


def test_reader_reads_but_cannot_change(api):
    member = api.identity()
    reader = api.identity(roles=("reader",), project_id=member.project_id)
    job_id = api.make_job(member, 1, ["FAILED"])
    assert api.request("GET", f"/v1/jobs/{job_id}", who=reader).status_int == 200
    assert api.request("POST", f"/v1/jobs/{job_id}/retry", who=reader).status_int == 403
    assert api.request("DELETE", f"/v1/jobs/{job_id}", who=reader).status_int == 403
    resp = api.request("POST", "/v1/keypairs/sync", who=reader,
                       json={"source_region": "a", "target_regions": "all", "keypairs": ["k"]})
    assert resp.status_int == 403


def test_admin_sees_every_project_only_when_asked(api):
    a, b = api.identity(), api.identity()
    admin = api.identity(roles=("admin", "member", "reader"))
    ja, jb = api.make_job(a, 1), api.make_job(b, 1)
    listed = {j["id"] for j in api.request("GET", "/v1/jobs?all_projects=true",
                                           who=admin).json["jobs"]}
    assert {ja, jb} <= listed
    assert api.request("GET", "/v1/jobs", who=admin).json["jobs"] == []
    assert api.request("GET", f"/v1/jobs/{ja}", who=admin).status_int == 200
    assert api.request("GET", "/v1/jobs?all_projects=true", who=a).status_int == 403


def test_list_filters_and_pagination(api):
    me = api.identity()
    done = api.make_job(me, 1, ["SUCCESS"])
    active = api.make_job(me, 2, ["SUCCESS"])
    jobs = api.request("GET", "/v1/jobs?active=true", who=me).json["jobs"]
    assert [j["id"] for j in jobs] == [active]
    page1 = api.request("GET", "/v1/jobs?limit=1", who=me).json["jobs"]
    page2 = api.request("GET", f"/v1/jobs?limit=1&marker={page1[0]['id']}", who=me).json["jobs"]
    assert {page1[0]["id"], page2[0]["id"]} == {done, active}
    resp = api.request("GET", "/v1/jobs?limit=0", who=me)
    assert resp.status_int == 400 and error(resp)["field"] == "limit"
    resp = api.request("GET", "/v1/jobs?active=maybe", who=me)
    assert resp.status_int == 400 and error(resp)["field"] == "active"


def test_delete_and_retry_rules(api):
    me = api.identity()
    running = api.make_job(me, 2, ["SUCCESS"])
    resp = api.request("DELETE", f"/v1/jobs/{running}", who=me)
    assert resp.status_int == 409 and "RUNNING" in error(resp)["message"]
    kb = api.request("DELETE", f"/v1.0/{me.project_id}/os-sync/{running}", who=me)
    assert kb.status_int == 406
    ok = api.make_job(me, 1, ["SUCCESS"])
    assert api.request("POST", f"/v1/jobs/{ok}/retry", who=me).status_int == 409
    failed = api.make_job(me, 2, ["FAILED", "SUCCESS"])
    resp = api.request("POST", f"/v1/jobs/{failed}/retry", who=me)
    assert resp.status_int == 202 and resp.json["job"]["status"] == "RUNNING"
    assert len(api.rt.dispatcher.dispatched) == 1
    assert api.request("DELETE", f"/v1/jobs/{ok}", who=me).status_int == 204
    assert api.request("GET", f"/v1/jobs/{ok}", who=me).status_int == 404
    kb_ok = api.make_job(me, 1, ["SUCCESS"])
    resp = api.request("DELETE", f"/v1.0/{me.project_id}/os-sync/{kb_ok}", who=me)
    assert resp.status_int == 200 and resp.json == f"job {kb_ok} deleted from the database."


BAD_BODIES = [
    ({}, "source_region"),
    ({"source_region": "R1", "keypairs": ["k"]}, "target_regions"),
    ({"source_region": "R1", "target_regions": ["R2"]}, "keypairs"),
    ({"source_region": 5, "target_regions": ["R2"], "keypairs": ["k"]}, "source_region"),
    ({"source_region": "R1", "target_regions": "R2", "keypairs": ["k"]}, "target_regions"),
    ({"source_region": "R1", "target_regions": ["R2", 7], "keypairs": ["k"]},
     "target_regions[1]"),
    ({"source_region": "R1", "target_regions": [], "keypairs": ["k"]}, "target_regions"),
    ({"source_region": "R1", "target_regions": ["R2"], "keypairs": []}, "keypairs"),
    ({"source_region": "R1", "target_regions": ["R2"], "keypairs": ["k"], "force": "yes"},
     "force"),
    ({"source_region": "R1", "target_regions": ["R2"], "keypairs": ["k"], "colour": 1},
     "colour"),
    ({"source_region": "R1", "target_regions": ["R2"], "keypairs": ["k" * 256]}, "keypairs[0]"),
    ({"source_region": "R1", "target_regions": ["R2"], "keypairs": ["k"] * 101}, "keypairs"),
    ([1, 2], "(body)"),
]


@pytest.mark.parametrize("body,field", BAD_BODIES)
def test_bad_bodies_name_the_field(api, body, field):
    me = api.identity()
    resp = api.request("POST", "/v1/keypairs/sync", who=me, json=body)
    assert resp.status_int == 400, resp.body
    err = error(resp)
    assert err["field"] == field and err["message"].startswith(field)
    assert api.request("GET", "/v1/jobs", who=me).json == {"jobs": []}  # nothing written


@pytest.mark.parametrize("raw,ctype,status", [
    (b"", "application/json", 400), (b"{not json", "application/json", 400),
    (b'{"a": 1}', "text/plain", 400), (b"\xff\xfe", "application/json", 400),
    (b"[" * 300000, "application/json", 413),
])
def test_unparseable_or_huge_bodies(api, raw, ctype, status):
    me = api.identity()
    resp = api.request("POST", "/v1/keypairs/sync", who=me, body=raw,
                       headers={"Content-Type": ctype})
    assert resp.status_int == status
    assert error(resp)["status"] == status


KB_BAD = [
    ({"resource_set": {"resource_type": "keypair", "resources": ["k"], "source": "R1"}},
     "resource_set.target"),
    ({"resource_set": {"resource_type": "server", "resources": ["k"], "source": "R1",
                       "target": ["R2"]}}, "resource_set.resource_type"),
    ({"resource_set": {"resource_type": "keypair", "resources": ["k"], "source": "R1",
                       "target": ["R2"], "force": "maybe"}}, "resource_set.force"),
    ({"resource_set": {"Sync": []}}, "resource_set.Sync"),
    ({}, "resource_set"),
]


@pytest.mark.parametrize("body,field", KB_BAD)
def test_kingbird_bad_bodies(api, body, field):
    me = api.identity()
    resp = api.request("POST", f"/v1.0/{me.project_id}/os-sync/", who=me, json=body)
    assert resp.status_int == 400, resp.body
    assert error(resp)["field"] == field


def test_kingbird_templates_may_not_mix_types_or_image_entries(api):
    me = api.identity()
    image = {"resource_type": "image", "resources": ["i"], "source": "R1", "target": ["R2"]}
    keypair = {**image, "resource_type": "keypair", "resources": ["k"]}
    for entries, field in (([image, keypair], "resource_type"), ([image, image],
                                                                 "resource_set")):
        resp = api.request("POST", f"/v1.0/{me.project_id}/os-sync/", who=me,
                           json={"resource_set": {"Sync": entries}})
        assert resp.status_int == 400 and error(resp)["field"] == field


def test_region_routes_degrade_to_503_without_catalog(api):
    me = api.identity()
    resp = api.request("GET", "/v1/regions", who=me)
    assert resp.status_int == 503 and "catalog" in error(resp)["message"]
    resp = api.request("POST", "/v1/keypairs/sync", who=me,
                       json={"source_region": "R1", "target_regions": ["R2"], "keypairs": ["k"]})
    assert resp.status_int == 503


def test_request_id_on_every_answer(api):
    resp = api.request("GET", "/v1/jobs")
    assert resp.headers["X-OpenStack-Request-Id"].startswith("req-")
    assert error(resp)["request_id"] == resp.headers["X-OpenStack-Request-Id"]


def test_operator_policy_file_overrides_defaults(policy_file, api):
    policy_file.write_text('"albatross:jobs:list": "role:admin"\n')
    member = api.identity()
    resp = api.request("GET", "/v1/jobs", who=member)
    assert resp.status_int == 403 and "albatross:jobs:list" in error(resp)["message"]
    admin = api.identity(roles=("admin",))
    assert api.request("GET", "/v1/jobs", who=admin).status_int == 200
