"""Image sync modes on the real dev cloud: with an auto project default an image uploaded to the
source appears in the target without any sync request, and its metadata changes follow; an image
set to none is passed by; deletes follow only with propagate_deletes and only to copies
Albatross made; a Glance notification on the real RabbitMQ starts the copy at once (the poller
of that server is too slow to explain it); lazy moves nothing until ensure, which copies
from the setting's source; the CLI sets, shows and unsets a project default."""
import json
import time
import uuid

import kombu
import pytest

from albatross.regions import images as glance
from tests.integration.conftest import at, now_iso, wait_job, wait_looked_at, wait_resynced
from tests.integration.server import start_albatross
from tests.integration.test_cli import cli
from tests.integration.test_image_sync import image_bytes, upload

pytestmark = pytest.mark.devcloud
RABBIT = "rabbit://guest:guest@127.0.0.1:5672/"


def wait_for(fn, timeout: float = 60, every: float = 0.5):
    deadline = time.monotonic() + timeout
    while True:
        value = fn()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(every)


def active_copy(conn, image_id):
    img = conn.image.find_image(image_id)
    return img if img is not None and img.status == "active" else None


def auto_jobs(member) -> list[dict]:
    jobs = member.call("GET", "/v1/jobs?kind=image_sync").json()["jobs"]
    return [j for j in jobs if j["origin"] == "auto"]


def set_default(member, **body):
    resp = member.call("PUT", f"/v1/projects/{member.project_id}/image-sync",
                       json={"mode": "auto", **body})
    assert resp.status_code == 200, resp.text
    return resp.json()["image_sync"]


@pytest.fixture
def member(project, albatross):
    return project.api_member(albatross.url)


def test_auto_default_copies_new_images_follows_metadata_and_passes_none_by(member, regions):
    src, dst = regions[0], regions[1]
    wanted = upload(member.conn(src), "auto-a", image_bytes(1, "auto-a"), build="1")
    skipped = upload(member.conn(src), "auto-none", image_bytes(1, "auto-none"))
    resp = member.call("PUT", f"/v1/images/{skipped.id}/sync-mode", json={"mode": "none"})
    assert resp.status_code == 200 and resp.json()["sync_mode"]["set_on"] == "image"
    set_default(member, source_region=src, target_regions=[dst])

    copy = wait_for(lambda: active_copy(member.conn(dst), wanted.id), timeout=60)
    assert copy is not None, "the image did not reach the target without a request"
    assert copy.properties.get("build") == "1"
    assert [j["params"]["images"] for j in auto_jobs(member)] == [[wanted.id]]

    later = upload(member.conn(src), "auto-b", image_bytes(1, "auto-b"))
    assert wait_for(lambda: active_copy(member.conn(dst), later.id), timeout=60)

    member.conn(src).image.update_image(wanted.id, build="2", min_ram=64)
    assert wait_for(lambda: member.conn(dst).image.get_image(wanted.id).properties.get(
        "build") == "2", timeout=60), "the metadata change did not follow"
    assert member.conn(dst).image.get_image(wanted.id).min_ram == 64
    assert member.conn(dst).image.find_image(skipped.id) is None
    assert all(skipped.id not in j["params"]["images"] for j in auto_jobs(member))
    status = member.call("GET", f"/v1/projects/{member.project_id}/image-sync").json()
    assert status["image_sync"]["poll"]["last_error"] is None


def test_deletes_follow_only_with_propagate_deletes_and_only_albatross_copies(member, users,
                                                                              regions):
    admin = users["admin"]
    src, dst = regions[0], regions[2]
    made = upload(member.conn(src), "del-made", image_bytes(1, "del-made"))
    data = image_bytes(1, "del-adopted")
    adopted = upload(member.conn(src), "del-adopted", data)
    upload(member.conn(dst), "del-adopted", data, id=adopted.id)  # there before Albatross
    set_default(member, source_region=src, target_regions=[dst])
    assert wait_for(lambda: active_copy(member.conn(dst), made.id), timeout=60)
    assert wait_for(lambda: len(auto_jobs(member)) == 2 and all(
        j["status"] == "SUCCESS" for j in auto_jobs(member)), timeout=60), auto_jobs(member)

    for img in (made, adopted):
        member.conn(src).image.delete_image(img.id)
    wait_looked_at(admin, "image_auto", member.project_id, now_iso())  # a poll since
    assert active_copy(member.conn(dst), made.id), "deleted without propagate_deletes"

    set_default(member, source_region=src, target_regions=[dst], propagate_deletes=True)
    assert wait_for(lambda: member.conn(dst).image.find_image(made.id) is None, timeout=60)
    wait_looked_at(admin, "image_auto", member.project_id, now_iso())  # and one more
    assert active_copy(member.conn(dst), adopted.id), "a copy Albatross did not make went"


def test_lazy_copies_nothing_up_front_and_ensure_prefers_the_settings_source(member, users,
                                                                               regions):
    first, dst, preferred = regions[0], regions[1], regions[2]
    data = image_bytes(1, "lazy-mode")
    img = upload(member.conn(first), "lazy-mode", data)
    upload(member.conn(preferred), "lazy-mode", data, id=img.id)
    set_at = now_iso()
    resp = member.call("PUT", f"/v1/images/{img.id}/sync-mode",
                       json={"mode": "lazy", "source_region": preferred})
    assert resp.status_code == 200, resp.text
    # a resync pass of auto mode since: lazy queues no poll, so nothing moves by itself
    wait_resynced(users["admin"], "image_auto", set_at)
    resp = users["admin"].call("GET", "/v1/work-items", params={
        "kind": "image_auto", "key": member.project_id})
    assert resp.status_code == 200 and resp.json()["items"] == [], resp.text
    assert member.conn(dst).image.find_image(img.id) is None
    resp = member.call("POST", f"/v1/images/{img.id}/ensure", json={"region": dst})
    assert resp.status_code == 202, resp.text
    assert wait_job(member, resp.json()["job_id"], timeout=300)["status"] == "SUCCESS"
    job = member.call("GET", f"/v1/jobs/{resp.json()['job_id']}").json()["job"]
    assert job["params"]["source_region"] == preferred


@pytest.fixture
def listening(devcloud, tmp_path, regions):
    """A second server that hears Glance notifications from regions[0] on the real RabbitMQ
    (its own topic and pool), and whose poller would wait ten minutes."""
    topic = f"notifications-{uuid.uuid4().hex[:8]}"
    pool = f"albatross-test-{topic}"
    server = start_albatross(
        devcloud, tmp_path,
        {"sync": {"audit_check_interval": 600},
         "image_sync": {"notification_urls": f"{regions[0]}={RABBIT}",
                        "notification_topic": topic,
                        "notification_pool": pool}})
    server.topic = topic
    try:
        assert wait_for(lambda: "listening to Glance notifications" in server.log(), 30)
        yield server
    finally:
        server.stop()
        with kombu.Connection(RABBIT.replace("rabbit:", "amqp:")) as bus:
            for queue in (pool, f"{topic}.info"):  # the Notifier declares the latter
                bus.default_channel.queue_delete(queue)


def notify(topic: str, event_type: str, payload: dict) -> None:
    """What Glance sends, through an oslo.messaging Notifier on Glance's exchange."""
    import oslo_messaging
    from oslo_config import cfg
    oslo_messaging.set_transport_defaults("glance")  # Glance's control_exchange
    transport = oslo_messaging.get_notification_transport(cfg.ConfigOpts(), url=RABBIT)
    notifier = oslo_messaging.Notifier(transport, publisher_id="image.localhost",
                                       driver="messagingv2", topics=[topic])
    notifier.info({}, event_type, payload)
    transport.cleanup()


def test_a_glance_notification_starts_the_copy_at_once(project, listening, users, regions):
    member, admin = project.api_member(listening.url), at(users["admin"], listening.url)
    src, dst = regions[0], regions[1]
    set_default(member, source_region=src, target_regions=[dst])
    img = upload(member.conn(src), "notified", image_bytes(1, "notified"))
    # no poll is queued for the project, and the next resync is ten minutes away
    resp = admin.call("GET", "/v1/work-items", params={
        "kind": "image_auto", "key": member.project_id, "active": "true"})
    assert resp.status_code == 200 and resp.json()["items"] == [], resp.text
    assert auto_jobs(member) == []
    notify(listening.topic, "image.upload", {
        "id": img.id, "owner": member.project_id, "name": img.name, "status": "active",
        "visibility": img.visibility, "checksum": img.checksum, "size": img.size})
    assert wait_for(lambda: auto_jobs(member), timeout=15), listening.log()[-3000:]
    assert wait_for(lambda: active_copy(member.conn(dst), img.id), timeout=60)

    notify(listening.topic, "image.update", {"id": str(uuid.uuid4()), "owner": "someone"})
    notify(listening.topic, "compute.instance.create.end", {"id": img.id})
    time.sleep(2)
    assert len(auto_jobs(member)) == 1

    # Glance announces an upload before it saves the status: the copy still starts
    data = image_bytes(1, "early")
    early = glance.create_record(member.conn(src), {"name": "early", "disk_format": "raw",
                                                    "container_format": "bare"},
                                 image_id=None, owner=None)
    notify(listening.topic, "image.upload", {"id": early, "owner": member.project_id})
    time.sleep(1)
    glance.upload(member.conn(src), early, iter([data]), len(data))
    assert wait_for(lambda: active_copy(member.conn(dst), early), timeout=30)

    set_default(member, source_region=src, target_regions=[dst], propagate_deletes=True)
    member.conn(src).image.delete_image(img.id)
    notify(listening.topic, "image.delete", {"id": img.id, "owner": member.project_id})
    assert wait_for(lambda: member.conn(dst).image.find_image(img.id) is None, timeout=15)


def test_cli_sets_shows_and_unsets_a_project_default(devcloud, albatross, users, regions):
    project_id = users["demo"].project_id
    out = cli(devcloud, albatross, "image", "mode", "set", "--project", project_id, "--mode",
              "auto", "--source", regions[0], "--target", regions[1], "--target", regions[2],
              "-f", "json")
    assert out.returncode == 0, out.stdout + out.stderr
    assert json.loads(out.stdout)["target_regions"] == regions[1:3]
    out = cli(devcloud, albatross, "image", "mode", "set", "--project", project_id, "--mode",
              "lazy", "--source", regions[0])
    assert out.returncode == 0 and "lazy" in out.stdout, out.stdout
    out = cli(devcloud, albatross, "image", "mode", "unset", "--project", project_id)
    assert out.returncode == 0, out.stdout
    out = cli(devcloud, albatross, "image", "mode", "show", "--project", project_id)
    assert out.returncode == 0 and "none" in out.stdout
    out = cli(devcloud, albatross, "image", "mode", "set", "--project", project_id, "--mode",
              "auto", "--source", regions[0])
    assert out.returncode == 1 and "target_regions" in out.stdout
    out = cli(devcloud, albatross, "image", "mode", "show", "--project", project_id,
              cloud="devcloud-alt")
    assert out.returncode == 1 and "403" in out.stdout
