"""An attacker's matrix, generated from the route table (issue 14): for every route of the
OpenAPI document, no token and a revoked token get 401, a reader of project A gets 403/404 on
every write, and a member of project B gets 403/404 on A's objects (or, on B's own lists,
nothing of A's). Afterwards project A is read straight from every region's Nova, Neutron,
Glance and Cinder: nothing was created, changed or deleted. The numbers are printed."""
import json
import time
import uuid

import pytest
import requests

from albatross.api.deploy import all_routes
from tests.integration import attack_cases as cases
from tests.integration.conftest import public_key, wait_job
from tests.integration.projects import ApiUser, Project
from tests.integration.test_image_sync import upload

pytestmark = pytest.mark.devcloud
DENIED = (403, 404)


def _reader(project: Project, cloud, base_url: str) -> ApiUser:
    """A user with only the reader role on `project`."""
    from keystoneauth1 import session as ks_session
    from keystoneauth1.identity import v3
    idn = cloud["identity"]
    user = idn.create_user(name=f"{project.tag}-reader", password=cloud["password"],
                           domain_id="default")
    project.user_ids.append(user.id)
    idn.assign_project_role_to_user(project.id, user.id, idn.find_role("reader"))
    auth = v3.Password(auth_url=cloud["auth_url"], user_id=user.id,
                       password=cloud["password"], project_id=project.id)
    return ApiUser(base_url, ks_session.Session(auth=auth), lambda region: None)


def _objects_of_a(member: ApiUser, regions: list[str]) -> dict:
    """A's job, sync policy, image, rollout (waiting for approval), keypair and network."""
    r0, r1 = regions[0], regions[1]
    keypair = f"mx-{uuid.uuid4().hex[:8]}"
    member.conn(r0).compute.create_keypair(name=keypair, public_key=public_key())
    job = member.call("POST", "/v1/keypairs/sync", json={
        "source_region": r0, "target_regions": [r1], "keypairs": [keypair]}).json()["job"]
    assert wait_job(member, job["id"])["status"] == "SUCCESS"
    policy = member.call("POST", "/v1/sync-policies", json={
        "name": "mine", "resource_type": "keypair", "source_region": r0,
        "target_regions": [r1], "all": True, "enabled": False}).json()["policy"]
    image = upload(member.conn(r0), "matrix", b"\0" * 1024)
    rollout = member.call("POST", "/v1/image-rollouts", json={
        "image_id": image.id, "source_region": r0, "waves": [[r1], regions[2:] or [r1]]})
    assert rollout.status_code == 201, rollout.text
    rollout = rollout.json()["rollout"]
    deadline = time.monotonic() + 120
    while rollout["state"] != "waiting_approval" and time.monotonic() < deadline:
        time.sleep(0.5)
        rollout = member.call("GET", f"/v1/image-rollouts/{rollout['id']}").json()["rollout"]
    assert rollout["state"] == "waiting_approval", rollout
    network = member.conn(r0).network.create_network(name="mx")
    return {"regions": regions, "project_id": member.project_id,
            "user_id": member.session.get_user_id(), "keypair": keypair, "job_id": job["id"],
            "policy_id": policy["id"], "image_id": image.id, "rollout_id": rollout["id"],
            "network_id": network.id}


def _region_state(cloud, project_id: str, user_ids: list[str]) -> dict:
    """Everything of the project in every region, read with the service account."""
    out = {}
    for region, conn in cloud["conns"].items():
        net, img = conn.network, conn.image
        out[region] = {
            "keypairs": sorted((u, k.name, k.fingerprint) for u in user_ids
                               for k in conn.compute.keypairs(user_id=u)),
            "servers": sorted(s.id for s in conn.compute.servers(all_projects=True,
                                                                 project_id=project_id)),
            "networks": sorted((n.id, n.name) for n in net.networks(project_id=project_id)),
            "subnets": sorted((s.id, s.cidr) for s in net.subnets(project_id=project_id)),
            "ports": sorted(p.id for p in net.ports(project_id=project_id)),
            "security_groups": sorted(
                (g.id, g.name, len(g.security_group_rules or []))
                for g in net.security_groups(project_id=project_id)),
            "images": sorted((i.id, i.status, i.checksum, i.visibility, i.is_hidden,
                              str(i.updated_at))
                             for hidden in (False, True)
                             for i in img.images(owner=project_id, is_hidden=hidden)),
            "volumes": sorted(v.id for v in conn.block_storage.volumes(
                all_projects=True, project_id=project_id)),
        }
    return out


def _send(base_url, method, path, token, body=None, ndjson=None):
    headers = {"X-Auth-Token": token} if token else {}
    if ndjson is not None:
        headers["Content-Type"] = "application/x-ndjson"
        return requests.request(method, base_url + path, headers=headers, data=ndjson,
                                timeout=60)
    stream = path.endswith("/stream")
    resp = requests.request(method, base_url + path, headers=headers, timeout=60,
                            json=body if method != "GET" else None, stream=stream)
    if stream:
        resp.close()
    return resp


@pytest.fixture
def victim_and_attacker(albatross, cloud, project, regions):
    """(A's member, A's objects, a member of another project B)."""
    b_project = Project(cloud)
    try:
        a_member = project.api_member(albatross.url)
        yield a_member, _objects_of_a(a_member, regions), b_project.api_member(albatross.url)
    finally:
        b_project.destroy()


def test_every_route_refuses_every_attacker_and_project_a_is_untouched(
        albatross, cloud, project, regions, victim_and_attacker, capsys):
    _a_member, a, other = victim_and_attacker
    reader = _reader(project, cloud, albatross.url)
    revoked = project.api_member(albatross.url)
    cloud["identity"].revoke_token(revoked.token)  # never seen by Albatross: not cached
    before = _region_state(cloud, project.id, project.user_ids)
    # (not the keypair's name: B's own policy names it, as B asked)
    a_ids = {a[k] for k in ("project_id", "job_id", "policy_id", "image_id",
                            "rollout_id")}
    failures, n_cases = [], 0
    routes = all_routes()
    for route in routes:
        key = (route.method, route.path)
        if key in cases.PUBLIC:
            continue
        path = cases.fill(route.path, a)
        body = cases.other_body(route.method, route.path, a) or {}
        ndjson = json.dumps({"time": "2026-01-01T00:00:00Z", "region": regions[0],
                             "service": "nova", "host": "h", "level": "INFO",
                             "message": "forged"}) if route.path == "/v1/logs" and \
            route.method == "POST" else None
        for who, token in (("anonymous", None), ("revoked", revoked.token)):
            n_cases += 1
            got = _send(albatross.url, route.method, path, token, body, ndjson).status_code
            if got != 401:
                failures.append(f"{who} {route.method} {path}: {got}, not 401")
        if route.method != "GET" and key not in cases.READER_MAY:
            n_cases += 1
            got = _send(albatross.url, route.method, path, reader.token, body, ndjson)
            if got.status_code not in DENIED:
                failures.append(f"reader {route.method} {path}: {got.status_code} "
                                f"{got.text[:200]}")
        n_cases += 1
        got = _send(albatross.url, route.method, path, other.token, body, ndjson)
        if key in cases.OWN_LISTS or key in cases.OWN_WRITES:
            leaked = [i for i in a_ids if i in got.text]
            if got.status_code >= 500 or leaked:
                failures.append(f"other {route.method} {path}: {got.status_code}, "
                                f"A's {leaked} shown")
        elif got.status_code not in DENIED:
            failures.append(f"other {route.method} {path}: {got.status_code} "
                            f"{got.text[:200]}")
    after = _region_state(cloud, project.id, project.user_ids)
    with capsys.disabled():
        print(f"\n[attack matrix] {len(routes)} routes, {n_cases} cases")
    assert not failures, "\n".join(failures)
    assert after == before, "project A changed in a region"
