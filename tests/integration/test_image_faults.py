"""Image sync when things break, on the real dev cloud: a target Glance dies mid-copy, the
source's bytes are corrupt at rest, the Albatross worker is killed mid-copy. In every case no
target may keep a half or wrong copy, and a retry or restart finishes the job with exactly
one good copy per region.

Only RegionFour's Glance (regions[-1]) is ever stopped: other tests use regions[0..2]."""
import signal
import time
from pathlib import Path

import pytest

from albatross.devcloud import DevCloud
from tests.integration.conftest import at, now_iso, wait_job, wait_resynced
from tests.integration.server import Server, db_upgrade, free_port, write_config
from tests.integration.test_image_sync import image_bytes, upload

pytestmark = pytest.mark.devcloud
MB = 1024 * 1024


@pytest.fixture
def member(project, albatross):
    return project.api_member(albatross.url)


@pytest.fixture
def faulty(regions):
    """The one region whose Glance a test may stop."""
    assert len(regions) >= 3, "needs a dev cloud with 3 or more regions"
    return regions[-1]


def start_sync(user, source, targets, images) -> str:
    resp = user.call("POST", "/v1/images/sync", json={
        "source_region": source, "target_regions": targets, "images": images})
    assert resp.status_code == 202, resp.text
    return resp.json()["job"]["id"]


def wait_bytes(user, job_id: str, region: str, timeout: float = 120) -> dict:
    """Until the task copying to `region` has sent some bytes (and not finished yet)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = user.call("GET", f"/v1/jobs/{job_id}").json()["job"]
        [task] = [t for t in job["tasks"] if t["target_region"] == region]
        assert task["status"] in ("QUEUED", "RUNNING"), f"finished before the fault: {task}"
        if (task.get("result") or {}).get("bytes_done", 0) > 0:
            return task
        time.sleep(0.02)
    raise AssertionError(f"no bytes copied to {region} in {timeout}s")


def wait_saving(cloud, region: str, project_id: str, timeout: float = 60) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if any(i.status == "saving" for i in images_of(cloud, region, project_id)):
            return True
        time.sleep(0.05)
    return False


def images_of(cloud, region: str, project_id: str) -> list:
    """Every image record of the project in a region, hidden ones and queued ones too."""
    conn = cloud["conns"][region]
    return [*conn.image.images(owner=project_id), *conn.image.images(owner=project_id,
                                                                    is_hidden=True)]


def wait_no_images(cloud, region: str, project_id: str, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while (left := images_of(cloud, region, project_id)) and time.monotonic() < deadline:
        time.sleep(1)
    assert not left, [(i.id, i.status) for i in left]


def task_in(job: dict, region: str) -> dict:
    [task] = [t for t in job["tasks"] if t["target_region"] == region]
    return task


def assert_one_good_copy(cloud, region: str, project_id: str, source) -> None:
    copies = images_of(cloud, region, project_id)
    assert [(c.status, c.hash_value, c.size) for c in copies] == \
        [("active", source.hash_value, source.size)], [(c.id, c.status) for c in copies]


def test_target_glance_dies_mid_copy_then_the_retry_completes(member, users, project, cloud,
                                                              regions, faulty):
    src, good = regions[0], regions[1]
    img = upload(member.conn(src), "outage", image_bytes(96, "outage"))
    job_id = start_sync(member, src, [good, faulty], [img.id])
    dev = DevCloud()
    try:
        wait_bytes(member, job_id, faulty)
        dev.stop_service(faulty, "glance")
        job = wait_job(member, job_id, timeout=300)
        assert job["status"] == "FAILED", job
        bad = task_in(job, faulty)
        assert bad["status"] == "FAILED"
        assert bad["error"].startswith(f"{faulty}: ") and "internal error" not in bad["error"]
        assert "unreachable" in bad["error"] or "connection" in bad["error"].lower(), bad
        assert task_in(job, good)["status"] == "SUCCESS"
        assert_one_good_copy(cloud, good, project.id, img)
    finally:
        dev.start_service(faulty, "glance")
    # the half copy (left 'saving' by the killed Glance) is the janitor's once it is back
    wait_no_images(cloud, faulty, project.id)
    resp = member.call("POST", f"/v1/jobs/{job_id}/retry")
    assert resp.status_code == 202, resp.text
    job = wait_job(member, job_id, timeout=300)
    assert job["status"] == "SUCCESS", [t["error"] for t in job["tasks"]]
    retried = task_in(job, faulty)["result"]
    assert retried["bytes"] == img.size and retried["hash_value"] == img.hash_value
    assert_one_good_copy(cloud, faulty, project.id, img)
    # a janitor round after it: the finished copy is not taken for a leftover
    wait_resynced(users["admin"], "image_leftover", now_iso())
    assert_one_good_copy(cloud, faulty, project.id, img)


def own_server(devcloud, tmp_path, name: str, port: int, **extra) -> Server:
    """An `albatross serve` of this test's own, on tmp_path's database (shared by every
    server the test starts)."""
    config = write_config(tmp_path / f"{name}.conf", db_url=f"sqlite:///{tmp_path}/db.sqlite",
                          port=port, clouds_yaml=devcloud["clouds_yaml"],
                          auth_url=devcloud["auth_url"], password=devcloud["password"],
                          extra=extra)
    db_upgrade(config)
    return Server(config, port, tmp_path / f"{name}.log").start()


def test_a_retry_before_the_janitor_keeps_its_copy(devcloud, project, cloud, users, regions,
                                                   faulty, tmp_path):
    """A retry that finds the half copy before the janitor does recreates it; the janitor
    running later must not take the new copy, or its mapping, for the leftover."""
    src, port = regions[0], free_port()
    server = own_server(devcloud, tmp_path, "no-janitor", port,
                        sync={"audit_check_interval": 0})
    try:
        user = project.api_member(server.url)
        img = upload(user.conn(src), "race", image_bytes(64, "race"))
        job_id = start_sync(user, src, [faulty], [img.id])
        dev = DevCloud()
        try:
            wait_bytes(user, job_id, faulty)
            # Glance has the data coming (the copy is `saving`, not a `queued` record that a
            # retry would only fill): stopped now, it leaves a half copy
            assert wait_saving(cloud, faulty, project.id), "the copy never reached saving"
            dev.stop_service(faulty, "glance")
            assert wait_job(user, job_id, timeout=300)["status"] == "FAILED"
        finally:
            dev.start_service(faulty, "glance")
        assert user.call("POST", f"/v1/jobs/{job_id}/retry").status_code == 202
        job = wait_job(user, job_id, timeout=300)
        assert job["status"] == "SUCCESS", [t["error"] for t in job["tasks"]]
        assert job["tasks"][0]["result"]["action"] == "recreate"
        server.stop()
        started = now_iso()
        server = own_server(devcloud, tmp_path, "janitor", port,
                            sync={"audit_check_interval": 1})
        wait_resynced(at(users["admin"], server.url), "image_leftover", started)
        assert_one_good_copy(cloud, faulty, project.id, img)
        again = wait_job(user, start_sync(user, src, [faulty], [img.id]), timeout=300)
        assert again["tasks"][0]["result"]["action"] == "none", again  # still mapped
        assert_one_good_copy(cloud, faulty, project.id, img)
    finally:
        server.stop()


def store_file(region: str, regions: list[str], image_id: str) -> Path:
    base = Path(DevCloud().info()["base"])
    return base / "data" / f"r{regions.index(region) + 1}" / "glance" / "images" / image_id


def test_corrupt_source_bytes_leave_no_copy_anywhere(member, project, cloud, regions,
                                                     faulty):
    src, targets = regions[0], [regions[1], faulty]
    data = image_bytes(32, "corrupt")
    img = upload(member.conn(src), "corrupt", data)
    path = store_file(src, regions, img.id)
    assert path.stat().st_size == len(data)
    middle = len(data) // 2
    try:
        with open(path, "r+b") as f:   # same size, 16 bytes flipped in the middle
            f.seek(middle)
            f.write(bytes(b ^ 0xFF for b in data[middle:middle + 16]))
        job = wait_job(member, start_sync(member, src, targets, [img.id]), timeout=300)
    finally:
        with open(path, "r+b") as f:
            f.seek(middle)
            f.write(data[middle:middle + 16])
    assert job["status"] == "FAILED"
    for task in job["tasks"]:
        assert task["status"] == "FAILED"
        assert task["error"].startswith(task["target_region"]), task["error"]
        assert "does not match" in task["error"] and "os_hash_value" in task["error"], \
            task["error"]
    for region in targets:
        assert images_of(cloud, region, project.id) == []


def test_worker_killed_mid_copy_resumes_with_one_copy_per_region(devcloud, project, cloud,
                                                                 regions, faulty, tmp_path):
    port = free_port()
    jobs = {"worker_threads": 1, "lease_seconds": 3}
    server = own_server(devcloud, tmp_path, "crash", port, jobs=jobs)
    try:
        user = project.api_member(server.url)
        src, targets = regions[0], [regions[1], faulty]
        img = upload(user.conn(src), "crash", image_bytes(200, "crash"))
        job_id = start_sync(user, src, targets, [img.id])
        wait_bytes(user, job_id, targets[0])
        server.kill(signal.SIGKILL)
        halfway = [(i.id, i.status) for r in targets for i in images_of(cloud, r, project.id)]
        assert halfway and all(status != "active" for _, status in halfway), halfway
        server = own_server(devcloud, tmp_path, "restarted", port, jobs=jobs)
        job = wait_job(user, job_id, timeout=600)
    finally:
        server.stop()
    assert job["status"] == "SUCCESS", [t["error"] for t in job["tasks"]]
    assert max(t["attempts"] for t in job["tasks"]) >= 2  # the killed attempt counted
    for region in targets:
        assert_one_good_copy(cloud, region, project.id, img)
    assert "Traceback" not in (tmp_path / "restarted.log").read_text(errors="replace")
