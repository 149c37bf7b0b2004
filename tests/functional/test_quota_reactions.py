"""Reactive rebalancing in the controller model: a burst of notifications queues one work
item per (project, region), due [quota] react_min_interval later, with one database write
per key however long the burst; waiting keys are bounded; a run while a rebalance of the
project is still running comes back later instead of deciding on usage about to change."""
import datetime

from albatross.db.jobs import TaskSpec
from albatross.db.models import utcnow
from albatross.db.quotas import QuotaStore
from albatross.services import quota_watch
from albatross.services.controllers import controllers
from albatross.services.quota_watch import CONTROLLER, QuotaWatch


def _items(api):
    return {i.resource: i for i in api.rt.work_queue.items(CONTROLLER)}


def test_a_burst_is_one_item_per_project_and_region_due_after_the_delay(api, monkeypatch):
    api.rt.conf.set_override("react_min_interval", 30, group="quota")
    writes = []
    enqueue = api.rt.work_queue.enqueue
    monkeypatch.setattr(api.rt.work_queue, "enqueue",
                        lambda *a, **k: writes.append(a) or enqueue(*a, **k))
    watch = QuotaWatch(api.rt)
    for region in ("R1", "R2", "R1", "R2", "R1"):
        assert watch.notify(region, "network.create.end", "p1")
    assert not watch.notify("R1", "network.create.end", None)
    assert not watch.notify("R1", "image.upload", "p1")
    items = _items(api)
    assert sorted(items) == ["p1|R1", "p1|R2"] and len(writes) == 2
    soon = utcnow() + datetime.timedelta(seconds=25)
    assert all(i.status == "QUEUED" and i.not_before > soon for i in items.values())


def test_waiting_keys_are_bounded(api):
    api.rt.conf.set_override("react_min_interval", 60, group="quota")
    api.rt.conf.set_override("react_max_pending", 3, group="quota")
    watch = QuotaWatch(api.rt)
    assert all(watch.notify("R1", "port.create.end", f"p{i}") for i in range(3))
    assert not watch.notify("R1", "port.create.end", "p3")   # left to the periodic pass
    assert watch.notify("R1", "port.create.end", "p0")       # a waiting one still gathers
    assert sorted(_items(api)) == ["p0|R1", "p1|R1", "p2|R1"]


def test_a_run_during_a_rebalance_of_the_project_looks_again_later(api):
    QuotaStore(api.rt.store.db_url).set_project("p1", {"cores": 4}, {})
    api.rt.store.create_job(project_id="service", user_id="albatross", kind="quota_rebalance",
                            params={}, tasks=[TaskSpec("quota", "p1", "*", "*")])
    assert quota_watch.react(api.rt, "p1|R1") == (None, True)
    outcome = controllers(api.rt)[CONTROLLER].reconcile(
        type("Ctx", (), {"key": "p1|R1"})())
    assert outcome.requeue_after == api.rt.conf.quota.react_min_interval
    assert quota_watch.react(api.rt, "nobody|R1") == (None, False)   # nothing governed
