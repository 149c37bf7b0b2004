"""Albatross writes into a tenant's project with the tenant's own authority, on the real dev
cloud: the regions' own logs name the user (not Albatross's service account) for every write of
a job; the job's trust is gone from Keystone once the job ends; a job whose user lost the role
before it ran fails with a readable error and writes nothing (no fallback to the admin
account)."""
import time
import uuid

import pytest

from tests.integration.conftest import public_key, wait_job
from tests.integration.server import Server, start_albatross
from tests.integration.test_image_sync import upload
from tests.integration.test_request_ids import NovaLogs

pytestmark = pytest.mark.devcloud


def _trusts_of(cloud, user_id):
    return list(cloud["identity"].trusts(trustor_user_id=user_id))


def _keypair(member, region):
    name = f"dlg-{uuid.uuid4().hex[:10]}"
    member.conn(region).compute.create_keypair(name=name, public_key=public_key())
    return name


def test_keypair_sync_writes_as_the_user_and_drops_its_trust(devcloud, albatross, cloud,
                                                             project, regions):
    member = project.api_member(albatross.url)
    user_id = member.session.get_user_id()
    name = _keypair(member, regions[0])
    logs = NovaLogs(devcloud, regions)
    rid = f"req-{uuid.uuid4()}"
    resp = member.call("POST", "/v1/keypairs/sync", headers={"X-OpenStack-Request-ID": rid},
                       json={"source_region": regions[0], "target_regions": regions[1:],
                             "keypairs": [name]})
    assert resp.status_code == 202, resp.text
    job = wait_job(member, resp.json()["job"]["id"])
    assert job["status"] == "SUCCESS", job
    service_user = cloud["identity"].find_user("albatross", ignore_missing=False).id
    for region in regions[1:]:
        assert member.conn(region).compute.get_keypair(name).name == name
        lines = [ln for ln in logs.wait_global_lines(region, rid)
                 if "os-keypairs" in ln and "POST" in ln]
        assert lines, f"no keypair POST of {rid} in {region}'s Nova log"
        # oslo.log's context: [global local user project domain ...]
        assert all(f" {user_id} {project.id} " in ln for ln in lines), lines
        assert not any(service_user in ln for ln in lines), lines
    assert _trusts_of(cloud, user_id) == [], "the job's trust outlived the job"


def test_a_job_whose_user_lost_the_role_fails_and_writes_nothing(devcloud, cloud, project,
                                                                 regions, tmp_path):
    # tasks wait in the database (no Celery worker listens) until a second server runs them
    queued = start_albatross(devcloud, tmp_path, name="queued",
                             extra={"jobs": {"executor": "celery"}})
    runner = None
    try:
        member = project.api_member(queued.url)
        user_id = member.session.get_user_id()
        name = _keypair(member, regions[0])
        image = upload(member.conn(regions[0]), "dlg-revoked", b"r" * 2048)
        resp = member.call("POST", "/v1/keypairs/sync", json={
            "source_region": regions[0], "target_regions": regions[1:], "keypairs": [name]})
        assert resp.status_code == 202, resp.text
        job_id = resp.json()["job"]["id"]
        resp = member.call("POST", "/v1/images/sync", json={
            "source_region": regions[0], "target_regions": regions[1:], "images": [image.id]})
        assert resp.status_code == 202, resp.text
        image_job_id = resp.json()["job"]["id"]
        assert len(_trusts_of(cloud, user_id)) == 2
        cloud["identity"].unassign_project_role_from_user(project.id, user_id,
                                                          cloud["member_role"])
        runner = _embedded_twin(queued, tmp_path)
        admin_view = _admin(devcloud, runner.url)
        for jid in (job_id, image_job_id):
            job = wait_job(admin_view, jid)
            assert job["status"] == "FAILED", job
            errors = [t["error"] for t in job["tasks"]]
            assert all(e and ("trust" in e or "refused" in e) for e in errors), errors
            assert "Traceback" not in " ".join(errors)
        admin_conns = cloud["conns"]
        for region in regions[1:]:  # the service account could have: nothing was written
            assert admin_conns[region].compute.find_keypair(
                name, user_id=user_id, ignore_missing=True) is None, region
            assert admin_conns[region].image.find_image(image.id) is None, region
        events = admin_view.call("GET", "/v1/events", params={
            "all_projects": "true", "project_id": project.id,
            "event_type": "albatross.delegation.lost"}).json()["events"]
        assert sorted(e["resource_id"] for e in events) == sorted([job_id, image_job_id])
        assert _trusts_of(cloud, user_id) == []
    finally:
        for server in (runner, queued):
            if server is not None:
                server.stop()


def _embedded_twin(server: Server, tmp_path) -> Server:
    """A second `albatross serve` on the same database, running its tasks itself."""
    from tests.integration.server import free_port
    port = free_port()
    text = open(server.config).read()
    text = text.replace("executor = celery\n", "executor = embedded\n")
    text = text.replace(f"bind_port = {server.url.rsplit(':', 1)[1]}\n", f"bind_port = {port}\n")
    path = tmp_path / "runner.conf"
    path.write_text(text)
    return Server(str(path), port, tmp_path / "runner.log").start()


def _admin(devcloud, url):
    from tests.integration.conftest import User
    admin = User(devcloud, "admin")
    admin.base_url = url
    return admin


def _events_of(member, region, event_type, resource_id, timeout=60):
    """The region's own notifications of `resource_id`: their context names who acted."""
    deadline = time.monotonic() + timeout
    while True:
        events = member.call("GET", "/v1/events", params={
            "region": region, "event_type": event_type, "limit": 200}).json()["events"]
        found = [e for e in events if e["resource_id"] == resource_id]
        if found or time.monotonic() > deadline:
            return found
        time.sleep(1)


def test_security_group_copies_are_made_as_the_user(albatross, cloud, project, regions):
    member = project.api_member(albatross.url)
    user_id = member.session.get_user_id()
    src, dst = regions[0], regions[1]
    group = member.conn(src).network.create_security_group(name=f"dlg-{uuid.uuid4().hex[:6]}")
    member.conn(src).network.create_security_group_rule(
        security_group_id=group.id, direction="ingress", protocol="tcp", port_range_min=22,
        port_range_max=22, remote_ip_prefix="192.0.2.0/24", ethertype="IPv4")
    resp = member.call("POST", "/v1/security-groups/sync", json={
        "source_region": src, "target_regions": [dst], "security_groups": [group.name]})
    assert resp.status_code == 202, resp.text
    assert wait_job(member, resp.json()["job"]["id"], 180)["status"] == "SUCCESS"
    copy = member.conn(dst).network.find_security_group(group.name, ignore_missing=False)
    # Neutron's own notification of the copy names who created it (Glance's carry no user:
    # image sync is shown by the revoked-role test, which only the user's authority fails)
    events = _events_of(member, dst, "security_group.create.end", copy.id, timeout=120)
    assert events, f"no security_group.create.end of {copy.id} from {dst}"
    assert {e["user_id"] for e in events} == {user_id}, events
    assert {e["project_id"] for e in events} == {project.id}
