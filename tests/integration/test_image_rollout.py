"""Controlled rollouts on the real dev cloud: a new version of "app" goes to a canary region,
waits for approval (the older copy hidden there, the next region untouched), goes on when
approved, and a rollback leaves every region image by image as it was; pause, abort, auto
approval, validation and another project's 404."""
import json
import time

import pytest

from albatross.images import meta
from albatross.regions.images import raw_image
from tests.integration.conftest import now_iso, wait_job, wait_looked_at
from tests.integration.test_cli import cli
from tests.integration.test_image_sync import image_bytes, upload

pytestmark = pytest.mark.devcloud
SETTLED = ("waiting_approval", "paused", "completed", "failed", "aborted", "rolled_back")


@pytest.fixture
def member(project, albatross):
    return project.api_member(albatross.url)


def images_of(user, region: str) -> dict:
    """The project's images in a region, hidden ones too: id -> what a rollback restores."""
    conn = user.conn(region)
    found = [*conn.image.images(owner=user.project_id),
             *conn.image.images(owner=user.project_id, is_hidden=True)]
    return {img.id: {"status": img.status, "os_hidden": bool(img.is_hidden),
                     "fields": meta.writable(raw_image(img))} for img in found}


def start(user, image_id: str, source: str, waves, **extra):
    resp = user.call("POST", "/v1/image-rollouts", json={
        "image_id": image_id, "source_region": source, "waves": waves, **extra})
    assert resp.status_code == 201, resp.text
    return resp.json()["rollout"]


def act(user, rollout_id: str, action: str, status: int = 202) -> dict:
    resp = user.call("POST", f"/v1/image-rollouts/{rollout_id}/{action}")
    assert resp.status_code == status, resp.text
    return resp.json()


def wave_job(user, rollout_id: str, index: int, timeout: float = 60) -> str | None:
    """The job of a wave, once the rollout's controller has started it."""
    deadline = time.monotonic() + timeout
    while True:
        rollout = user.call("GET", f"/v1/image-rollouts/{rollout_id}").json()["rollout"]
        if rollout["waves"][index]["job_id"] or time.monotonic() > deadline:
            return rollout["waves"][index]["job_id"]
        time.sleep(0.2)


def wait_state(user, rollout_id: str, states=SETTLED, timeout: float = 300) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        rollout = user.call("GET", f"/v1/image-rollouts/{rollout_id}").json()["rollout"]
        if rollout["state"] in states or time.monotonic() > deadline:
            return rollout
        time.sleep(1)


def test_canary_wave_waits_for_approval_and_rollback_restores_every_region(member, regions):
    src, canary, second = regions[0], regions[1], regions[2]
    v1 = upload(member.conn(src), "app", image_bytes(2, "app-v1"), tags=["app"],
                os_distro="debian", version="1")
    resp = member.call("POST", "/v1/images/sync", json={
        "source_region": src, "target_regions": [canary, second], "images": [v1.id]})
    assert wait_job(member, resp.json()["job"]["id"], timeout=300)["status"] == "SUCCESS"
    before = {r: images_of(member, r) for r in (canary, second)}
    assert all(before[r][v1.id]["os_hidden"] is False for r in before)
    v2 = upload(member.conn(src), "app", image_bytes(3, "app-v2"), tags=["app"],
                os_distro="debian", version="2")

    rollout = start(member, v2.id, src, [[canary], [second]])
    assert rollout["state"] == "running"   # its controller starts the first wave
    assert wave_job(member, rollout["id"], 0)
    rollout = wait_state(member, rollout["id"])
    assert rollout["state"] == "waiting_approval", rollout
    wave = rollout["waves"][0]
    assert wave["job_status"] == "SUCCESS" and wave["verified"] is True
    assert wave["copies"] == {canary: v2.id} and wave["hidden"] == {canary: [v1.id]}
    assert rollout["waves"][1]["job_id"] is None
    copy = member.conn(canary).image.get_image(v2.id)
    assert copy.status == "active" and copy.hash_value == v2.hash_value
    assert member.conn(canary).image.get_image(v1.id).is_hidden is True
    assert images_of(member, second) == before[second]   # the next wave waits

    act(member, rollout["id"], "approve")
    rollout = wait_state(member, rollout["id"])
    assert rollout["state"] == "completed", rollout
    assert member.conn(second).image.get_image(v2.id).status == "active"
    assert member.conn(second).image.get_image(v1.id).is_hidden is True

    act(member, rollout["id"], "rollback")
    rollout = wait_state(member, rollout["id"], ("rolled_back",))
    assert rollout["state"] == "rolled_back", rollout
    for region in (canary, second):
        assert images_of(member, region) == before[region], region
    assert {v1.id, v2.id} <= set(images_of(member, src))  # the source is never touched
    history = rollout["history"]
    assert [e["event"] for e in history] == [
        "start", "wave_started", "wave_verified", "approve", "wave_started", "wave_verified",
        "rollback", "rollback_started", "rolled_back"]
    assert [e["actor"] == "albatross" for e in history] == [
        False, True, True, False, True, True, False, True, True]
    assert history[1]["job_id"] == rollout["waves"][0]["job_id"]
    assert history[-1]["job_id"] == rollout["rollback_job_id"]
    act(member, rollout["id"], "rollback", 409)

    # again: Glance never reuses the deleted copy's id, so the copy gets a new one
    again = start(member, v2.id, src, [[canary]], auto_approve=True)
    again = wait_state(member, again["id"])
    assert again["state"] == "completed", again
    new_id = again["waves"][0]["copies"][canary]
    assert new_id != v2.id and again["waves"][0]["hidden"] == {canary: [v1.id]}
    assert member.conn(canary).image.get_image(new_id).hash_value == v2.hash_value


def test_paused_rollout_never_advances_and_abort_stops_it(member, users, regions):
    admin = users["admin"]
    src, canary, second = regions[0], regions[1], regions[2]
    # big enough that its copy is still running when the pause comes
    img = upload(member.conn(src), "tool", image_bytes(32, "tool"))
    before = {r: images_of(member, r) for r in (canary, second)}
    rollout = start(member, img.id, src, [[canary], [second]])
    job_id = wave_job(member, rollout["id"], 0)   # the canary wave runs; then a pause
    paused = act(member, rollout["id"], "pause")["rollout"]
    assert paused["state"] == "paused" and paused["waves"][0]["verified"] is False, paused
    resp = member.call("POST", "/v1/image-rollouts", json={
        "image_id": img.id, "source_region": src, "waves": [[second]]})
    assert resp.status_code == 409 and resp.json()["error"]["field"] == "waves"
    job = wait_job(member, job_id, 300)
    assert job["status"] == "SUCCESS", job
    # the job's end wakes the rollout's controller (at once: maybe before we saw the job
    # end); once a run that started after it is over, nothing has moved
    wait_looked_at(admin, "image_rollout", rollout["id"], job["finished_at"])
    rollout = wait_state(member, rollout["id"], timeout=0)
    assert rollout["state"] == "paused" and rollout["waves"][0]["verified"] is False
    assert images_of(member, second) == before[second]

    assert act(member, rollout["id"], "resume")["rollout"]["state"] == "running"
    assert wait_state(member, rollout["id"])["state"] == "waiting_approval"
    aborting = now_iso()
    assert act(member, rollout["id"], "abort")["rollout"]["state"] == "aborted"
    for action in ("approve", "resume", "pause"):
        act(member, rollout["id"], action, 409)
    wait_looked_at(admin, "image_rollout", rollout["id"], aborting)  # the abort's run
    assert wait_state(member, rollout["id"], timeout=0)["state"] == "aborted"
    assert images_of(member, second) == before[second]

    act(member, rollout["id"], "rollback")
    assert wait_state(member, rollout["id"], ("rolled_back",))["state"] == "rolled_back"
    assert images_of(member, canary) == before[canary]


def test_auto_approve_validation_and_another_projects_404(member, users, regions):
    src, canary, second = regions[0], regions[1], regions[2]
    img = upload(member.conn(src), "auto", image_bytes(1, "auto"))
    for waves, field in (([[src]], "waves[0]"), ([[canary], ["Nowhere"]], "waves[1]"),
                         ([[canary], [second, canary]], "waves[1]")):
        resp = member.call("POST", "/v1/image-rollouts", json={
            "image_id": img.id, "source_region": src, "waves": waves})
        assert resp.status_code == 400 and resp.json()["error"]["field"] == field, resp.text
    alt = users["alt"]
    resp = alt.call("POST", "/v1/image-rollouts", json={
        "image_id": img.id, "source_region": src, "waves": [[canary]]})
    assert resp.status_code == 404 and resp.json()["error"]["field"] == "image_id"

    rollout = start(member, img.id, src, [[canary], [second]], auto_approve=True)
    rollout = wait_state(member, rollout["id"])
    assert rollout["state"] == "completed", rollout
    assert [e["event"] for e in rollout["history"]] == [
        "start", "wave_started", "wave_verified", "wave_started", "wave_verified"]
    for region in (canary, second):
        assert member.conn(region).image.get_image(img.id).status == "active"

    path = f"/v1/image-rollouts/{rollout['id']}"
    assert alt.call("GET", path).status_code == 404
    for action in ("approve", "pause", "resume", "abort", "rollback"):
        assert alt.call("POST", f"{path}/{action}").status_code == 404
    assert rollout["id"] not in {r["id"] for r in alt.call(
        "GET", "/v1/image-rollouts").json()["rollouts"]}
    assert member.conn(canary).image.get_image(img.id).status == "active"


def test_cli_starts_waits_shows_and_rolls_back(devcloud, albatross, users, regions):
    src, canary, second = regions[0], regions[1], regions[2]
    demo = users["demo"]
    img = upload(demo.conn(src), "cli-rollout", image_bytes(1, "cli-rollout"))
    try:
        out = cli(devcloud, albatross, "image", "rollout", "start", img.id, "--source", src,
                  "--wave", canary, "--wave", second, "--auto-approve", "--wait", "-f", "json")
        assert out.returncode == 0, out.stdout + out.stderr
        rollout = json.loads(out.stdout)
        assert rollout["state"] == "completed"
        out = cli(devcloud, albatross, "image", "rollout", "status", rollout["id"])
        assert out.returncode == 0, out.stdout
        assert "Waves" in out.stdout and "History" in out.stdout
        assert "wave_verified" in out.stdout and canary in out.stdout
        out = cli(devcloud, albatross, "image", "rollout", "rollback", rollout["id"], "--wait")
        assert out.returncode == 0 and "rolled_back" in out.stdout, out.stdout
        out = cli(devcloud, albatross, "image", "rollout", "list")
        assert rollout["id"][:8] in out.stdout
        out = cli(devcloud, albatross, "image", "rollout", "approve", rollout["id"])
        assert out.returncode == 1 and "409" in out.stdout
        for region in (canary, second):
            assert demo.conn(region).image.find_image(img.id) is None
    finally:
        demo.conn(src).image.delete_image(img.id, ignore_missing=True)
