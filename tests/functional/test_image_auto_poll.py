"""The auto poller's bookkeeping against a Glance stand-in that filters as Glance does
(`owner`, `updated_at=gte:`, `id=in:`, hidden apart): an image is decided once per change, a
change while its copy job runs is looked at again when the job is done (never a second job
meanwhile), a change within the same Glance second is not lost, and none is never copied."""
from types import SimpleNamespace

import pytest

from albatross.db.image_settings import SettingStore
from albatross.jobs.store import TaskSpec
from albatross.services import image_auto
from albatross.services import images as image_service

REGIONS = ["R1", "R2"]


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


class Cloud:
    def __init__(self):
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

    def request_sync(rt, caller, req, **kwargs):
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

    image_auto.poll_auto(rt)
    assert cloud.orders == [("a", ("R2",), "auto")]
    image_auto.poll_auto(rt)  # nothing changed: nothing decided, though `a` is re-listed
    assert len(cloud.orders) == 1

    job = busy_job(rt, "a")   # a copy of `a` is running (from any origin)
    src.by_id["a"] = raw("a", "2030-01-01T00:00:00Z", build="2")  # same Glance second
    image_auto.poll_auto(rt)
    assert len(cloud.orders) == 1
    assert store.get("p").state["pending"] == ["a"]

    rt.store.delete_job(job)  # the copy finished, with the old metadata
    dst.by_id["a"] = {**raw("a", "2030-01-01T00:00:00Z"), "albatross_source_id": "a"}
    image_auto.poll_auto(rt)
    assert cloud.orders[1:] == [("a", ("R2",), "auto")]
    assert store.get("p").state["pending"] == []

    dst.by_id["a"] = {**src.by_id["a"], "albatross_source_id": "a"}
    src.by_id["b"] = raw("b", "2030-01-01T00:00:05Z")
    dst.by_id["b"] = {**src.by_id["b"], "albatross_source_id": "b"}  # already identical
    image_auto.poll_auto(rt)
    image_auto.poll_auto(rt)
    assert len(cloud.orders) == 2 and "n" not in {o[0] for o in cloud.orders}
    state = store.get("p").state
    assert state["since"] == "2030-01-01T00:00:05Z" and state["last_error"] is None


def test_an_images_own_auto_setting_is_polled_without_a_default(api, cloud):
    rt, src = api.rt, cloud.glance["R1"]
    src.by_id["x"] = raw("x", "2030-01-01T00:00:00Z", os_hidden=True)
    store = SettingStore(rt.store.db_url)
    store.put("p", "x", mode="auto", source_region="R1", target_regions="all",
              propagate_deletes=False)
    image_auto.poll_auto(rt)
    image_auto.poll_auto(rt)
    assert cloud.orders == [("x", ("R2",), "auto")]


def test_busy_reads_unfinished_image_jobs_only(api, cloud):
    job = busy_job(api.rt, "z")
    assert image_auto._busy(api.rt, "p") == {"z"}
    claim = api.rt.store.claim("w", 30, task_id=api.rt.store.get_job(job)[1][0].id)[0]
    api.rt.store.finish(claim, "SUCCESS")
    assert image_auto._busy(api.rt, "p") == set()
