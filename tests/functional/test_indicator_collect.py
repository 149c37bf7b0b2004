"""A collection round with the region reads replaced: what is stored when a region or one
of its services does not answer, when a project is refused, and one collector per interval
among several processes."""
import pytest
from keystoneauth1 import exceptions as ks_exc
from openstack import exceptions as sdk_exc

from albatross.db.indicators import IndicatorStore
from albatross.db.quotas import QuotaStore
from albatross.quota.resources import RESOURCES
from albatross.services import indicators as service
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
    project with a cores limit using 1 core in each region, and one Nova refuses."""
    down: set[str] = set()

    def placement(region):
        if region in down:
            raise ks_exc.ConnectFailure("connection refused")
        return {rc: {"capacity": 10.0, "used": 2.0} for rc in ("VCPU", "MEMORY_MB", "DISK_GB")}

    def quotas(registry, project_id, names):
        if project_id == "gone":
            return {r: sdk_exc.BadRequestException("Project ID gone is not a valid project")
                    for r in names}
        usage = {r: 0 for r in RESOURCES} | {"cores": 1}
        return {r: ({n: 10 for n in RESOURCES}, usage) for r in names}

    monkeypatch.setattr(service.reader, "read_placement", placement)
    monkeypatch.setattr(service.reader, "count", lambda region, kind: 3)
    monkeypatch.setattr(service, "read_all_regions", quotas)
    QuotaStore(api.rt.store.db_url).set_project("live", {"cores": 8}, {})
    QuotaStore(api.rt.store.db_url).set_project("gone", {"cores": 8}, {})
    rt = Runtime(conf=api.rt.conf, store=api.rt.store, registry=FakeRegistry(["R1", "R2"]),
                 health=FakeHealth(), dispatcher=None)
    return rt, down


def _last(rt):
    return {(r.name, r.region, r.project_id, r.key): r.last_value
            for r in IndicatorStore(rt.store.db_url).last_values()}


def test_a_region_that_cannot_be_read_is_down_then_back(api, world):
    rt, down = world
    settings = service.settings(rt.conf)
    down.add("R2")
    assert service.collect(rt, settings) == {
        "R1": None, "R2": "placement: service unreachable (connection failed)"}
    last = _last(rt)
    assert last[("region_up", "R2", "", "")] == 0.0
    assert last[("resource_count", "R2", "", "servers")] == 3     # what answered is kept
    assert ("capacity", "R2", "", "VCPU") not in last
    assert last[("project_headroom", "all", "live", "cores")] == 6
    assert not [k for k in last if k[2] == "gone"]    # refused: left out, regions not down

    admin = api.identity(roles=ADMIN)
    summary = api.request("GET", "/v1/indicators/summary", who=admin).json
    r2 = summary["regions"][1]
    assert (r2["status"], r2["reason"]) == \
        ("down", "placement: service unreachable (connection failed)")
    assert summary["overall"]["counted_regions"] == ["R1"]

    down.clear()
    assert service.collect(rt, settings) == {"R1": None, "R2": None}
    r2 = api.request("GET", "/v1/indicators/summary", who=admin).json["regions"][1]
    assert (r2["status"], r2["reason"], r2["since"]) == ("up", None, r2["checked_at"])
    assert r2["capacity"]["VCPU"] == {"capacity": 10.0, "used": 2.0, "utilization": 0.2}
    history = api.request("GET", "/v1/indicators?name=region_up&region=R2&step=1h",
                          who=admin).json["series"][0]["points"]
    assert sum(p["samples"] for p in history) == 2
    assert (min(p["min"] for p in history), max(p["max"] for p in history)) == (0.0, 1.0)


def test_one_process_collects_per_interval(api, world):
    rt, _down = world
    settings = service.settings(rt.conf)
    assert service.collect_due(rt, settings, "serve@a")
    assert not service.collect_due(rt, settings, "worker@b")
    assert len(IndicatorStore(rt.store.db_url).statuses()) == 2


def test_a_malformed_retention_stops_the_start(api):
    api.rt.conf.set_override("rollups", ["5m:30d", "7m:60d"], group="indicators")
    with pytest.raises(ValueError, match=r"\[indicators\] rollups: .*multiple"):
        service.settings(api.rt.conf)
