"""Image sync on the real dev cloud: one download streamed to several Glances, hashes and
metadata equal, re-runs copy nothing, lazy ensure makes one copy for concurrent requests, and
a project cannot copy what Glance does not let it see."""
import hashlib
import threading

import pytest

from albatross.images import meta
from albatross.regions.images import raw_image
from tests.integration.conftest import wait_job

pytestmark = pytest.mark.devcloud
MB = 1024 * 1024


def image_bytes(size_mb: int, seed: str) -> bytes:
    """Incompressible-enough, reproducible content without `size_mb` calls to urandom."""
    block = hashlib.sha512(seed.encode()).digest() * (MB // 64)
    return b"".join(i.to_bytes(8, "big") + block[8:] for i in range(size_mb))


def upload(conn, name: str, data: bytes, **fields):
    img = conn.image.create_image(name=name, disk_format="raw", container_format="bare",
                                  data=data, validate_checksum=False, wait=True, **fields)
    return conn.image.get_image(img.id)


def copy_view(conn, image_id: str) -> dict:
    raw = raw_image(conn.image.get_image(image_id))
    return {"status": raw["status"], "size": raw["size"], "hash": raw["os_hash_value"],
            "fields": {k: v for k, v in meta.writable(raw).items() if k != meta.SOURCE_MARK}}


@pytest.fixture
def member(project, albatross):
    return project.api_member(albatross.url)


def sync(user, source, targets, images, **extra):
    resp = user.call("POST", "/v1/images/sync", json={
        "source_region": source, "target_regions": targets, "images": images, **extra})
    assert resp.status_code == 202, resp.text
    return wait_job(user, resp.json()["job"]["id"], timeout=600)


def test_100mb_image_reaches_two_regions_equal_and_rerun_copies_nothing(member, regions):
    src, targets = regions[0], regions[1:3]
    img = upload(member.conn(src), "big", image_bytes(100, "big"), min_disk=1, min_ram=64,
                 tags=["golden", "v1"], os_distro="debian", build="42")
    job = sync(member, src, targets, [img.id])
    assert job["status"] == "SUCCESS", job
    source = copy_view(member.conn(src), img.id)
    for task in job["tasks"]:
        assert task["result"]["same_id"] is True and task["result"]["bytes"] == 100 * MB
        copy = copy_view(member.conn(task["target_region"]), img.id)
        assert copy == source
    again = sync(member, src, targets, [img.id])
    assert [t["result"]["action"] for t in again["tasks"]] == ["none", "none"]
    assert [t["result"]["written"] for t in again["tasks"]] == [False, False]

    member.conn(src).image.update_image(img.id, build="43", min_ram=128)
    changed = sync(member, src, targets[:1], [img.id])
    [task] = changed["tasks"]
    assert task["status"] == "SUCCESS", task["error"]
    assert task["result"]["action"] == "update" and task["result"]["bytes"] == 0
    assert copy_view(member.conn(targets[0]), img.id)["fields"] == \
        copy_view(member.conn(src), img.id)["fields"]


def test_lazy_ensure_copies_once_for_concurrent_requests(member, regions):
    src, dst = regions[0], regions[1]
    img = upload(member.conn(src), "lazy", image_bytes(8, "lazy"))
    answers = []

    def ensure():
        answers.append(member.call("POST", f"/v1/images/{img.id}/ensure",
                                   json={"region": dst}))

    threads = [threading.Thread(target=ensure) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    # answered at once, both with the one copy's job (the request never waits for it)
    assert [a.status_code for a in answers] == [202, 202], [a.text for a in answers]
    bodies = [a.json() for a in answers]
    assert bodies[0]["job_id"] == bodies[1]["job_id"]   # one copy, shared
    job = wait_job(member, bodies[0]["job_id"], timeout=300)
    assert job["status"] == "SUCCESS" and job["tasks"][0]["result"]["target_id"] == img.id
    copies = [i for i in member.conn(dst).image.images(owner=member.project_id)
              if i.name == "lazy"]
    assert len(copies) == 1 and copies[0].status == "active"
    third = member.call("POST", f"/v1/images/{img.id}/ensure", json={"region": dst})
    assert third.status_code == 200 and third.json()["image"]["copied"] is False


def test_nothing_is_copied_up_front_in_lazy_use(member, regions):
    src, dst = regions[0], regions[2]
    img = upload(member.conn(src), "untouched", image_bytes(1, "untouched"))
    assert member.conn(dst).image.find_image(img.id) is None


def test_another_project_cannot_copy_or_ensure_a_private_image(member, users, regions):
    src, dst = regions[0], regions[1]
    img = upload(member.conn(src), "private", image_bytes(1, "private"), visibility="private")
    alt = users["alt"]
    resp = alt.call("POST", "/v1/images/sync", json={
        "source_region": src, "target_regions": [dst], "images": [img.id]})
    assert resp.status_code == 404 and resp.json()["error"]["field"] == "images"
    resp = alt.call("POST", f"/v1/images/{img.id}/ensure", json={"region": dst})
    assert resp.status_code == 404
    assert member.conn(dst).image.find_image(img.id) is None


def test_a_public_image_is_ensured_by_its_owner_never_by_another_project(users, regions,
                                                                         cloud):
    """Copies carry the image's owner (its quota, its metadata): a project that only sees a
    public image may not make them (issue 14, finding 2); its owner, here an admin, may."""
    src, dst = regions[0], regions[1]
    img = upload(users["admin"].conn(src), "public", image_bytes(1, "public"),
                 visibility="public")
    try:
        resp = users["alt"].call("POST", f"/v1/images/{img.id}/ensure",
                                 json={"region": dst})
        assert resp.status_code == 403, resp.text
        assert resp.json()["error"]["field"] == "images"
        assert cloud["conns"][dst].image.find_image(img.id) is None
        resp = users["admin"].call("POST", f"/v1/images/{img.id}/ensure",
                                   json={"region": dst})
        assert resp.status_code == 202, resp.text
        assert wait_job(users["admin"], resp.json()["job_id"], timeout=300)["status"] == \
            "SUCCESS"
        resp = users["admin"].call("POST", f"/v1/images/{img.id}/ensure", json={"region": dst})
        assert resp.status_code == 200 and resp.json()["image"]["status"] == "active"
        copy = cloud["conns"][dst].image.get_image(resp.json()["image"]["id"])
        assert copy.visibility == "public" and copy.owner == img.owner
    finally:
        for region in (src, dst):
            cloud["conns"][region].image.delete_image(img.id, ignore_missing=True)


def test_kingbird_image_sync_keeps_the_id(member, regions):
    src, dst = regions[0], regions[1]
    img = upload(member.conn(src), "kb", image_bytes(1, "kb"))
    resp = member.call("POST", f"/v1.0/{member.project_id}/os-sync", json={"resource_set": {
        "resource_type": "image", "resources": [img.id], "source": src, "target": [dst]}})
    assert resp.status_code == 200, resp.text
    job = wait_job(member, resp.json()["job_status"]["id"])
    assert job["status"] == "SUCCESS", job
    assert member.conn(dst).image.get_image(img.id).status == "active"
