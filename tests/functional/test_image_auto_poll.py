"""The auto poller's bookkeeping against a Glance stand-in that filters as Glance does
(`owner`, `updated_at=gte:`, `id=in:`, hidden apart): an image is decided once per change, a
change while its copy job runs is looked at again when the job is done (never a second job
meanwhile), a change within the same Glance second is not lost, and none is never copied."""
import time
from types import SimpleNamespace

import pytest

from tests.functional.conftest import TrustRecorder
from albatross.db.image_settings import SettingStore
from albatross.db.trusts import TrustGrant, TrustStore
from albatross.db.jobs import TaskSpec
from albatross.services import image_auto
from albatross.services import images as image_service

REGIONS = ["R1", "R2"]


def poll_auto(rt):
    """One poll of every project with an auto setting, as the controller makes them."""
    for project_id in image_auto.auto_projects(rt):
        image_auto.poll_project(rt, project_id)


class FakeImages:
    def __init__(self):
        self.by_id: dict[str, dict] = {}

    def images(self, is_hidden=False, owner=None, updated_at=None, id=None):
        for raw in list(self.by_id.values()):
            if bool(raw.get("os_hidden")) != is_hidden or (owner and raw["owner"] != owner):
                continue
            if updated_at and raw["updated_at"] < updated_at.removeprefix("gte:"):
                continue
            if id and raw["id"] not in id.removeprefix("in:").split(","):
                continue
            yield SimpleNamespace(id=raw["id"], _body=SimpleNamespace(attributes=dict(raw)))


class Cloud(TrustRecorder):
    def __init__(self):
        super().__init__()
        self.glance = {r: FakeImages() for r in REGIONS}

    def names(self):
        return list(REGIONS)

    def connection(self, region):
        return SimpleNamespace(image=self.glance[region])


def raw(image_id, at, **fields):
    return {"id": image_id, "status": "active", "owner": "p", "size": 1, "checksum": "m",
            "os_hash_algo": "sha512", "os_hash_value": "h", "updated_at": at,
            "name": image_id, "disk_format": "raw", "container_format": "bare", **fields}


@pytest.fixture
def cloud(api, monkeypatch):
    api.rt.registry = Cloud()
    orders = []

    # what PUT .../image-sync with mode auto leaves: a trust of the user who set it
    TrustStore(api.rt.store.db_url).add(TrustGrant("trust-of-u", "u", "p"), "image_auto", "p")

    def request_sync(rt, caller, req, **kwargs):
        assert kwargs["trust"].id == "trust-of-u" and not kwargs["trust"].owned
        orders.append((req.images[0], tuple(req.target_regions), kwargs["origin"]))
        # no tasks: never busy, as if the copy were done at once
        job_id, _ = rt.store.create_job(project_id=caller.project_id, user_id=caller.user_id,
                                        kind=image_service.KIND, origin=kwargs["origin"],
                                        params={"images": req.images}, tasks=[])
        return {"id": job_id}

    monkeypatch.setattr(image_service, "request_sync", request_sync)
    api.rt.registry.orders = orders
    return api.rt.registry


def busy_job(rt, image_id):
    return rt.store.create_job(project_id="p", user_id="u", kind=image_service.KIND,
                               params={"images": [image_id]},
                               tasks=[TaskSpec("image", image_id, "R1", "R2", False, {})])[0]


def test_poller_decides_once_per_change_and_never_piles_up(api, cloud):
    rt, src, dst = api.rt, cloud.glance["R1"], cloud.glance["R2"]
    store = SettingStore(rt.store.db_url)
    store.put("p", "", mode="auto", source_region="R1", target_regions=["R2"],
              propagate_deletes=False)
    src.by_id["a"] = raw("a", "2030-01-01T00:00:00Z")
    src.by_id["n"] = raw("n", "2030-01-01T00:00:00Z")
    store.put("p", "n", mode="none", source_region=None, target_regions=None,
              propagate_deletes=False)

    poll_auto(rt)
    assert cloud.orders == [("a", ("R2",), "auto")]
    poll_auto(rt)  # nothing changed: nothing decided, though `a` is re-listed
    assert len(cloud.orders) == 1

    job = busy_job(rt, "a")   # a copy of `a` is running (from any origin)
    src.by_id["a"] = raw("a", "2030-01-01T00:00:00Z", build="2")  # same Glance second
    poll_auto(rt)
    assert len(cloud.orders) == 1
    assert store.get("p").state["pending"] == ["a"]

    rt.store.delete_job(job)  # the copy finished, with the old metadata
    dst.by_id["a"] = {**raw("a", "2030-01-01T00:00:00Z"), "albatross_source_id": "a"}
    poll_auto(rt)
    assert cloud.orders[1:] == [("a", ("R2",), "auto")]
    assert store.get("p").state["pending"] == []

    dst.by_id["a"] = {**src.by_id["a"], "albatross_source_id": "a"}
    src.by_id["b"] = raw("b", "2030-01-01T00:00:05Z")
    dst.by_id["b"] = {**src.by_id["b"], "albatross_source_id": "b"}  # already identical
    poll_auto(rt)
    poll_auto(rt)
    assert len(cloud.orders) == 2 and "n" not in {o[0] for o in cloud.orders}
    state = store.get("p").state
    assert state["since"] == "2030-01-01T00:00:05Z" and state["last_error"] is None


def test_an_images_own_auto_setting_is_polled_without_a_default(api, cloud):
    rt, src = api.rt, cloud.glance["R1"]
    src.by_id["x"] = raw("x", "2030-01-01T00:00:00Z", os_hidden=True)
    store = SettingStore(rt.store.db_url)
    store.put("p", "x", mode="auto", source_region="R1", target_regions="all",
              propagate_deletes=False)
    poll_auto(rt)
    poll_auto(rt)
    assert cloud.orders == [("x", ("R2",), "auto")]


def test_busy_reads_unfinished_image_jobs_only(api, cloud):
    job = busy_job(api.rt, "z")
    assert image_auto._busy(api.rt, "p") == {"z"}
    claim = api.rt.store.claim("w", 30, task_id=api.rt.store.get_job(job)[1][0].id)[0]
    api.rt.store.finish(claim, "SUCCESS")
    assert image_auto._busy(api.rt, "p") == set()


def test_a_copy_that_keeps_failing_backs_off_until_it_succeeds_or_the_source_changes(
        api, cloud, monkeypatch):
    rt, src = api.rt, cloud.glance["R1"]
    store = SettingStore(rt.store.db_url)
    store.put("p", "", mode="auto", source_region="R1", target_regions=["R2"],
              propagate_deletes=False)
    src.by_id["a"] = raw("a", "2030-01-01T00:00:00Z")
    jobs = []

    def request_sync(rt, caller, req, **kwargs):  # a real task per target, left to the test
        cloud.orders.append((req.images[0], tuple(req.target_regions), kwargs["origin"]))
        jobs.append(rt.store.create_job(
            project_id=caller.project_id, user_id=caller.user_id, kind=image_service.KIND,
            origin="auto", params={"images": req.images},
            tasks=[TaskSpec("image", req.images[0], "R1", t) for t in req.target_regions])[0])
        return {"id": jobs[-1]}

    def finish(status, error=None):
        task = rt.store.get_job(jobs[-1])[1][0]
        rt.store.finish(rt.store.claim("w", 30, task_id=task.id)[0], status, error=error)

    def full_poll(time_passes=False):
        state = store.get("p").state
        for entries in state.get("backoff", {}).values():
            for e in entries.values():
                e["retry_at"] -= 10 ** 6 if time_passes else 0
        store.set_state(store.get("p").id, {**state, "full_at": 0})
        poll_auto(rt)
        return store.get("p").state

    monkeypatch.setattr(image_service, "request_sync", request_sync)
    poll_auto(rt)
    assert len(cloud.orders) == 1
    finish("FAILED", "image quota exceeded in R2")
    state = full_poll()
    assert len(cloud.orders) == 1  # backed off: the full scan leaves a[R2] alone
    entry = state["backoff"]["a"]["R2"]
    assert entry["failures"] == 1 and entry["last_error"] == "image quota exceeded in R2"
    assert 290 <= entry["retry_at"] - state["full_at"] <= 600   # jittered: half to all
    full_poll()
    assert len(cloud.orders) == 1

    me = api.identity(project_id="p")
    view = api.request("GET", "/v1/projects/p/image-sync", who=me)
    assert view.status_int == 200, view.body
    [shown] = view.json["image_sync"]["poll"]["backoff"]
    assert {k: shown[k] for k in ("image_id", "region", "failures", "last_error")} == \
        {"image_id": "a", "region": "R2", "failures": 1,
         "last_error": "image quota exceeded in R2"}

    full_poll(time_passes=True)  # retry_at passed: one more try, which fails again
    assert len(cloud.orders) == 2
    finish("FAILED", "still over quota")
    state = full_poll()
    entry = state["backoff"]["a"]["R2"]
    assert entry["failures"] == 2 and 590 <= entry["retry_at"] - state["full_at"] <= 1200
    assert len(cloud.orders) == 2

    src.by_id["a"] = raw("a", "2030-01-01T00:00:09Z", build="2")  # a new source: due at once
    poll_auto(rt)
    assert len(cloud.orders) == 3 and store.get("p").state["backoff"] == {}
    finish("FAILED", "over quota")
    assert full_poll()["backoff"]["a"]["R2"]["failures"] == 1  # counts from 1 again
    full_poll(time_passes=True)
    assert len(cloud.orders) == 4
    cloud.glance["R2"].by_id["a"] = {**src.by_id["a"], "albatross_source_id": "a"}
    finish("SUCCESS")
    state = full_poll()
    assert state["backoff"] == {} and state["tracked"] == {} and len(cloud.orders) == 4


def test_an_images_own_setting_backs_off_too_and_the_view_shows_it(api, cloud, monkeypatch):
    rt, src = api.rt, cloud.glance["R1"]
    store = SettingStore(rt.store.db_url)
    store.put("p", "x", mode="auto", source_region="R1", target_regions=["R2"],
              propagate_deletes=False)
    src.by_id["x"] = raw("x", "2030-01-01T00:00:00Z")
    jobs = []

    def request_sync(rt, caller, req, **kwargs):
        cloud.orders.append(req.images[0])
        jobs.append(rt.store.create_job(
            project_id=caller.project_id, user_id=caller.user_id, kind=image_service.KIND,
            origin="auto", params={"images": req.images},
            tasks=[TaskSpec("image", "x", "R1", "R2")])[0])
        return {"id": jobs[-1]}

    monkeypatch.setattr(image_service, "request_sync", request_sync)
    poll_auto(rt)
    task = rt.store.get_job(jobs[-1])[1][0]
    rt.store.finish(rt.store.claim("w", 30, task_id=task.id)[0], "FAILED", error="bad disk")
    for _ in range(3):  # every look is a full one for this image: still nothing new
        row = store.get("p", "x")
        store.set_state(row.id, {**row.state, "checked_at": 0})
        poll_auto(rt)
    assert cloud.orders == ["x"]
    assert store.get("p", "x").state["backoff"]["x"]["R2"]["failures"] == 1
    view = api.request("GET", "/v1/projects/p/image-sync", who=api.identity(project_id="p"))
    assert view.status_int == 200, view.body
    assert [(b["image_id"], b["region"], b["failures"], b["last_error"])
            for b in view.json["image_sync"]["poll"]["backoff"]] == [("x", "R2", 1, "bad disk")]
    src.by_id["x"] = raw("x", "2030-01-01T00:00:01Z", name="x2")  # changed: due at once
    poll_auto(rt)
    assert cloud.orders == ["x", "x"] and store.get("p", "x").state["backoff"] == {}


def test_a_notification_asks_for_the_projects_run_and_an_unsaved_image_for_another(api, cloud):
    """A Glance notification decides nothing by itself: it queues the project's item (once,
    however many arrive), only for an auto image of that source region; a run that finds an
    image Glance has not saved yet comes back in a moment instead of at the next poll."""
    rt, src = api.rt, cloud.glance["R1"]
    SettingStore(rt.store.db_url).put("p", "", mode="auto", source_region="R1",
                                      target_regions=["R2"], propagate_deletes=False)
    for region, event, payload in (
            ("R2", "image.upload", {"id": "a", "owner": "p"}),       # not the source
            ("R1", "image.upload", {"id": "a", "owner": "q"}),       # no auto setting there
            ("R1", "image.delete", {"id": "a", "owner": "p"}),       # deletes not followed
            ("R1", "image.upload", {"owner": "p"})):
        assert image_auto.handle_event(rt, region, event, payload) is False
    assert rt.work_queue.items(image_auto.CONTROLLER) == []
    for _ in range(3):
        assert image_auto.handle_event(rt, "R1", "image.upload", {"id": "a", "owner": "p"})
    [item] = rt.work_queue.items(image_auto.CONTROLLER)
    assert item.resource == "p" and item.status == "QUEUED"

    now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    src.by_id["a"] = raw("a", now, status="saving")
    poll = image_auto.poll_project(rt, "p")
    assert poll.started == [] and poll.settling and cloud.orders == []
    src.by_id["a"] = raw("a", now)
    poll = image_auto.poll_project(rt, "p")
    assert poll.started and not poll.settling and cloud.orders == [("a", ("R2",), "auto")]
    src.by_id["q"] = raw("q", "2020-01-01T00:00:00Z", status="queued")  # long forgotten
    row = SettingStore(rt.store.db_url).get("p")
    SettingStore(rt.store.db_url).set_state(row.id, {**row.state, "full_at": 0})  # lists all
    assert image_auto.poll_project(rt, "p").settling is False
