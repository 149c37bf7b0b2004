"""A collection round with the region reads replaced: what is stored when a region or one
of its services does not answer, a project's usage as its rebalances recorded it (none for a
project never read), and one collector per interval among several processes."""
import pytest
from keystoneauth1 import exceptions as ks_exc

from albatross.db.indicators import IndicatorStore
from albatross.db.quotas import QuotaStore
from albatross.quota.resources import RESOURCES
from albatross.db.work_queue import WorkQueue
from albatross.indicators.settings import settings as indicator_settings
from albatross.jobs.executor import TaskExecutor
from albatross.jobs.periodic import Resync
from albatross.reconcilers import indicator_collection as service
from albatross.reconcilers.base import ControllerContext
from albatross.services.runtime import Runtime

ADMIN = ("admin", "member", "reader")


class FakeRegistry:
    """Regions by name; a "connection" is the region's name (the readers are replaced)."""

    def __init__(self, names):
        self._names = names

    def names(self):
        return list(self._names)

    def connection(self, region):
        return region

    def fan_out(self, fn, keys):
        out = {}
        for key in keys:
            try:
                out[key] = fn(key)
            except Exception as exc:
                out[key] = exc
        return out


class FakeHealth:
    def check(self, names, fresh=False):
        return {n: {"status": "up", "services": {"placement": {"status": "up",
                                                               "latency_ms": 4.0}}}
                for n in names}


@pytest.fixture
def world(api, monkeypatch):
    """Two regions, each with 10 VCPUs of capacity and 2 used, 3 objects of every kind; a
    project with a cores limit whose rebalance read 1 core used in each region, and one
    never read (Nova refused it)."""
    down: set[str] = set()

    def placement(region):
        if region in down:
            raise ks_exc.ConnectFailure("connection refused")
        return {rc: {"capacity": 10.0, "used": 2.0} for rc in ("VCPU", "MEMORY_MB", "DISK_GB")}

    monkeypatch.setattr(service.reader, "read_placement", placement)
    monkeypatch.setattr(service.reader, "count", lambda region, kind: 3)
    quotas = QuotaStore(api.rt.store.db_url)
    quotas.set_project("live", {"cores": 8}, {})
    quotas.set_project("gone", {"cores": 8}, {})   # never read: its rebalances failed
    usage = {r: 0 for r in RESOURCES} | {"cores": 1}   # as the last rebalance read them
    quotas.record_regions("live", {r: ({n: 10 for n in RESOURCES}, usage)
                                   for r in ("R1", "R2")})
    rt = Runtime(conf=api.rt.conf, store=api.rt.store, registry=FakeRegistry(["R1", "R2"]),
                 health=FakeHealth(), dispatcher=api.rt.dispatcher)
    return rt, down


def _ctx(rt):
    return ControllerContext("all", rt.registry, rt.health, rt.conf, rt.store.db_url,
                             submit=None)


def _last(rt):
    return {(r.name, r.region, r.project_id, r.key): r.last_value
            for r in IndicatorStore(rt.store.db_url).last_values()}


def test_a_region_that_cannot_be_read_is_down_then_back(api, world):
    rt, down = world
    settings = indicator_settings(rt.conf)
    down.add("R2")
    assert service.collect(_ctx(rt), settings) == {
        "R1": None, "R2": "placement: service unreachable (connection failed)"}
    last = _last(rt)
    assert last[("region_up", "R2", "", "")] == 0.0
    assert last[("resource_count", "R2", "", "servers")] == 3     # what answered is kept
    assert ("capacity", "R2", "", "VCPU") not in last
    assert last[("project_headroom", "all", "live", "cores")] == 6
    assert not [k for k in last if k[2] == "gone"]    # never read: left out, regions not down
    assert last[("project_usage", "R2", "live", "cores")] == 1   # recorded, R2 down or not

    admin = api.identity(roles=ADMIN)
    summary = api.request("GET", "/v1/indicators/summary", who=admin).json
    r2 = summary["regions"][1]
    assert (r2["status"], r2["reason"]) == \
        ("down", "placement: service unreachable (connection failed)")
    assert summary["overall"]["counted_regions"] == ["R1"]

    down.clear()
    assert service.collect(_ctx(rt), settings) == {"R1": None, "R2": None}
    r2 = api.request("GET", "/v1/indicators/summary", who=admin).json["regions"][1]
    assert (r2["status"], r2["reason"], r2["since"]) == ("up", None, r2["checked_at"])
    assert r2["capacity"]["VCPU"] == {"capacity": 10.0, "used": 2.0, "utilization": 0.2}
    history = api.request("GET", "/v1/indicators?name=region_up&region=R2&step=1h",
                          who=admin).json["series"][0]["points"]
    assert sum(p["samples"] for p in history) == 2
    assert (min(p["min"] for p in history), max(p["max"] for p in history)) == (0.0, 1.0)


def test_one_round_per_interval_however_many_processes(api, world):
    """Two processes' resync loops queue one item; a worker's run makes the round and puts
    the item back for the next round, one interval after this one started."""
    rt, _down = world
    loops = [Resync(rt, [service.IndicatorCollection()]) for _ in range(2)]
    assert len(loops[0].once()) == 1 and loops[1].once() == []
    [item] = WorkQueue(rt.store.db_url).items("indicator_collection")
    [claim] = rt.store.claim("serve@a", 30, task_id=item.id)
    executor = TaskExecutor(rt.store, rt.registry, conf=rt.conf, health=rt.health)
    assert executor.run(claim) == "SUCCESS"
    assert len(IndicatorStore(rt.store.db_url).statuses()) == 2
    [item] = WorkQueue(rt.store.db_url).items("indicator_collection")
    due_in = (item.not_before - item.finished_at).total_seconds()
    assert item.status == "QUEUED" and 0 < due_in <= rt.conf.indicators.collect_interval
    assert rt.store.claim("worker@b", 30) == []       # not due again yet


def test_a_malformed_retention_stops_the_start(api):
    api.rt.conf.set_override("rollups", ["5m:30d", "7m:60d"], group="indicators")
    with pytest.raises(ValueError, match=r"\[indicators\] rollups: .*multiple"):
        indicator_settings(api.rt.conf)
