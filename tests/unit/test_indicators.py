"""The pure parts of indicators: time specs, samples from what regions answered, the
summary, Placement arithmetic and the Prometheus text."""
import datetime
from types import SimpleNamespace

import pytest
from prometheus_client.parser import text_string_to_metric_families

from albatross.indicators import prometheus
from albatross.indicators.samples import (Sample, failure_reason, health_samples,
                                          placement_samples, project_samples)
from albatross.indicators.summary import Last, Status, summarize
from albatross.indicators.timespec import (format_duration, parse_duration, parse_rollups,
                                           parse_time)
from albatross.quota.resources import RESOURCES
from albatross.regions.indicators import capacity, read_placement

T0 = datetime.datetime(2025, 1, 31, 12, 0, 0)
T1 = T0 + datetime.timedelta(minutes=1)


@pytest.mark.parametrize("text,seconds", [("90", 90), ("30s", 30), ("5m", 300), ("1h", 3600),
                                          ("2d", 172800), ("1w", 604800), (" 7 m ", 420)])
def test_durations(text, seconds):
    assert parse_duration(text) == seconds
    assert parse_duration(format_duration(seconds)) == seconds


@pytest.mark.parametrize("text", ["", "0", "0m", "5x", "-5m", "1.5h", "m"])
def test_bad_durations(text):
    with pytest.raises(ValueError):
        parse_duration(text)


def test_times_are_naive_utc():
    assert parse_time("2025-01-31T13:00:00+01:00") == T0
    assert parse_time("2025-01-31T12:00:00Z") == T0
    assert parse_time("2025-01-31T12:00:00") == T0
    with pytest.raises(ValueError, match="ISO 8601"):
        parse_time("yesterday")


def test_rollup_levels():
    assert parse_rollups(["5m:30d", "1h:400d"]) == [(300, 30 * 86400), (3600, 400 * 86400)]
    assert parse_rollups([]) == []
    for bad in (["5m"], ["5m:1m"], ["5m:30d", "7m:60d"], ["1h:30d", "5m:60d"],
                ["5m:30d", "1h:10d"]):
        with pytest.raises(ValueError):
            parse_rollups(bad)


def test_capacity_is_total_minus_reserved_times_ratio():
    assert capacity(1000, 0, 4.0) == 4000
    assert capacity(800000, 512, 1.0) == 799488
    assert capacity(100, None, None) == 100


def _conn(providers: dict):
    """A Placement stand-in: {provider id: ({rc: (total, reserved, ratio)}, usages)}."""
    def inventories(rp):
        return [SimpleNamespace(resource_class=rc, total=t, reserved=r, allocation_ratio=a)
                for rc, (t, r, a) in providers[rp.id][0].items()]
    placement = SimpleNamespace(
        resource_providers=lambda: [SimpleNamespace(id=i) for i in providers],
        resource_provider_inventories=inventories,
        fetch_resource_provider_usages=lambda rp: SimpleNamespace(usages=providers[rp.id][1]))
    return SimpleNamespace(placement=placement)


def test_placement_sums_every_provider_and_reports_every_class():
    conn = _conn({
        "a": ({"VCPU": (16, 2, 4.0), "MEMORY_MB": (4096, 512, 1.5)},
              {"VCPU": 10, "MEMORY_MB": 2048}),
        "b": ({"VCPU": (8, 0, 1.0), "CUSTOM_GPU": (2, 0, 1.0)}, {"VCPU": 3, "CUSTOM_GPU": 1}),
    })
    assert read_placement(conn) == {
        "VCPU": {"capacity": 64.0, "used": 13},
        "MEMORY_MB": {"capacity": 5376.0, "used": 2048},
        "DISK_GB": {"capacity": 0.0, "used": 0}}
    assert read_placement(_conn({}))["VCPU"] == {"capacity": 0.0, "used": 0.0}


def test_latency_only_for_endpoints_that_answered():
    got = health_samples("R1", {"services": {
        "compute": {"status": "up", "latency_ms": 12.5},
        "placement": {"status": "down", "latency_ms": 0.4, "error": "unreachable"}}})
    assert got == [Sample("endpoint_up", "R1", "", "compute", 1.0),
                   Sample("endpoint_latency_seconds", "R1", "", "compute", 0.0125),
                   Sample("endpoint_up", "R1", "", "placement", 0.0)]


def test_no_utilization_without_capacity():
    got = placement_samples("R1", {"VCPU": {"capacity": 40.0, "used": 10},
                                   "DISK_GB": {"capacity": 0.0, "used": 0}})
    assert Sample("utilization", "R1", "", "VCPU", 0.25) in got
    assert not [s for s in got if s.name == "utilization" and s.key == "DISK_GB"]


def _reading(**usage):
    used = {r: 0 for r in RESOURCES} | usage
    return ({r: 10 for r in RESOURCES}, used)


def test_project_headroom_is_global_and_only_when_every_region_answered():
    hard = {r: RESOURCES[r].default for r in RESOURCES} | {"cores": 20, "instances": -1}
    got = project_samples("p1", hard, {"R1": _reading(cores=4), "R2": _reading(cores=6)})
    values = {(s.name, s.region, s.key): s.value for s in got}
    assert values[("project_usage", "R1", "cores")] == 4
    assert values[("project_usage", "R2", "cores")] == 6
    assert values[("project_headroom", "all", "cores")] == 10
    assert ("project_headroom", "all", "instances") not in values     # unlimited
    assert all(s.project_id == "p1" for s in got)

    partial = project_samples("p1", hard, {"R1": _reading(cores=4), "R2": None})
    assert not [s for s in partial if s.name == "project_headroom"]
    assert not [s for s in partial if s.region == "R2"]


def test_failure_reasons_group_the_reads_that_failed_alike():
    assert failure_reason([]) is None
    assert failure_reason([("networks", "unreachable"), ("placement", "HTTP 500"),
                           ("ports", "unreachable")]) == \
        "networks, ports: unreachable; placement: HTTP 500"


def _last(region, at, vcpu, used, servers=0):
    return [Last("capacity", region, "VCPU", vcpu, at), Last("used", region, "VCPU", used, at),
            Last("capacity", region, "MEMORY_MB", 100.0, at),
            Last("used", region, "MEMORY_MB", 0.0, at),
            Last("capacity", region, "DISK_GB", 0.0, at), Last("used", region, "DISK_GB", 0.0, at),
            Last("resource_count", region, "servers", servers, at)]


def test_summary_totals_only_fresh_regions_and_names_the_down_ones():
    last = _last("R1", T1, 40.0, 10.0, 3) + _last("R2", T1, 60.0, 40.0, 2) \
        + _last("R3", T0, 1000.0, 0.0, 7)
    statuses = [Status("R1", True, None, T1, T0), Status("R2", True, None, T1, T0),
                Status("R3", False, "placement: service unreachable", T1, T1)]
    got = summarize(last, statuses)
    overall = got["overall"]
    assert overall["counted_regions"] == ["R1", "R2"]
    assert overall["capacity"]["VCPU"] == {"capacity": 100.0, "used": 50.0, "utilization": 0.5}
    assert overall["capacity"]["DISK_GB"]["utilization"] is None
    assert overall["counts"]["servers"] == 5
    assert (overall["regions_up"], overall["regions_down"]) == (2, 1)
    r3 = got["regions"][2]
    assert (r3["status"], r3["reason"], r3["since"]) == \
        ("down", "placement: service unreachable", "2025-01-31T12:01:00Z")
    assert r3["capacity"]["VCPU"]["capacity"] == 1000.0       # last known, with its time
    assert r3["capacity_as_of"] == "2025-01-31T12:00:00Z"
    assert got["collected_at"] == "2025-01-31T12:01:00Z"


def test_prometheus_text_parses_with_region_project_and_key_labels():
    rows = [SimpleNamespace(name="capacity", region="R1", project_id="", key="VCPU",
                            last_value=64.0),
            SimpleNamespace(name="region_up", region="R2", project_id="", key="",
                            last_value=0.0),
            SimpleNamespace(name="project_usage", region="R1", project_id="p1", key="cores",
                            last_value=3.0),
            SimpleNamespace(name="no_longer_collected", region="R1", project_id="", key="",
                            last_value=1.0)]
    families = {f.name: f for f in text_string_to_metric_families(prometheus.render(rows))}
    assert set(families) == {"albatross_capacity", "albatross_region_up",
                             "albatross_project_usage"}
    (cap,) = families["albatross_capacity"].samples
    assert cap.labels == {"region": "R1", "resource": "VCPU"} and cap.value == 64.0
    assert families["albatross_region_up"].samples[0].labels == {"region": "R2"}
    assert families["albatross_project_usage"].samples[0].labels == \
        {"region": "R1", "project": "p1", "resource": "cores"}
