"""The controllers' work queue through the API: an admin sees each key queued, then idle with
when its run started and ended (what tests and operators wait on), filtered by kind, key and
activity; nobody else sees it; a kind the deployment does not run is a 400 naming `kind`."""
import json

from albatross.jobs.executor import TaskExecutor
from albatross.services.controllers import controllers


def _items(api, who, query=""):
    resp = api.request("GET", f"/v1/work-items{query}", who=who)
    assert resp.status_int == 200, resp.text
    return resp.json


def _run(api, item_id):
    [claim] = api.rt.store.claim("worker", 30, task_id=item_id)
    executor = TaskExecutor(api.rt.store, api.rt.registry, conf=api.rt.conf,
                            controllers=controllers(api.rt))
    return executor.run(claim)


def test_an_item_is_queued_then_idle_with_its_last_run(api):
    admin = api.identity(roles=("admin", "member", "reader"))
    api.rt.enqueue("image_rollout", "r-1")
    api.rt.enqueue("image_rollout", "r-1")         # de-duplicated by key
    api.rt.enqueue("sync_policy_audit", "p-1")
    seen = _items(api, admin)
    assert seen["queued_or_running"] == 2
    assert sorted((i["kind"], i["key"], i["status"]) for i in seen["items"]) == [
        ("image_rollout", "r-1", "queued"), ("sync_policy_audit", "p-1", "queued")]
    [queued] = _items(api, admin, "?kind=image_rollout")["items"]
    assert queued["due_at"] and queued["started_at"] is None and queued["attempts"] == 0

    [item] = api.rt.work_queue.items("image_rollout", "r-1")
    assert _run(api, item.id) == "SUCCESS"          # no such rollout: nothing more is due
    [idle] = _items(api, admin, "?key=r-1")["items"]
    assert idle["status"] == "idle" and idle["due_at"] is None
    assert idle["started_at"] <= idle["finished_at"]
    assert [i["key"] for i in _items(api, admin, "?active=true")["items"]] == ["p-1"]
    assert _items(api, admin)["queued_or_running"] == 1

    api.rt.enqueue("image_rollout", "r-1")          # an idle key is asked for again
    [again] = _items(api, admin, "?key=r-1")["items"]
    assert again["status"] == "queued" and again["started_at"] == idle["started_at"]


def test_only_an_admin_sees_the_queue_and_the_kind_is_checked(api):
    api.rt.enqueue("image_rollout", "r-2")
    for who in (api.identity(), api.identity(roles=("admin", "member"), admin_project=False)):
        resp = api.request("GET", "/v1/work-items", who=who)
        assert resp.status_int == 403, resp.text
    admin = api.identity(roles=("admin", "member", "reader"))
    resp = api.request("GET", "/v1/work-items?kind=nothing", who=admin)
    assert resp.status_int == 400 and json.loads(resp.body)["error"]["field"] == "kind"
    resp = api.request("GET", "/v1/work-items?limit=0", who=admin)
    assert resp.status_int == 400 and json.loads(resp.body)["error"]["field"] == "limit"


def test_each_resync_pass_is_shown_per_controller(api):
    """When the resync last asked each controller, and how many keys it named: the loop is
    seen alive, and a test can wait for a pass instead of sleeping through one."""
    from albatross.jobs.periodic import Resync
    from albatross.services.controllers import controllers
    admin = api.identity(roles=("admin", "member", "reader"))
    api.rt.enqueue("sync_policy_audit", "p-9")     # an item of its own, not a pass
    Resync(api.rt, list(controllers(api.rt).values())).once()
    rows = {i["key"]: i for i in _items(api, admin, "?kind=resync")["items"]}
    assert {"image_rollout", "retention_purge", "sync_policy_audit"} <= set(rows)
    assert "quota_reaction" not in rows           # only notifications queue its keys
    assert all(r["status"] == "idle" and r["started_at"] <= r["finished_at"]
               for r in rows.values())
    assert rows["retention_purge"]["keys"] == 1 and rows["image_rollout"]["keys"] == 0
    first = rows["retention_purge"]["finished_at"]
    Resync(api.rt, list(controllers(api.rt).values())).once()
    [again] = _items(api, admin, "?kind=resync&key=retention_purge")["items"]
    assert again["finished_at"] >= first and _items(api, admin)["queued_or_running"] >= 1
