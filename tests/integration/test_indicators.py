"""Indicators on the real dev cloud, with an Albatross of its own collecting every 2 s: the
summary equals what each region's Placement says, /metrics is valid Prometheus text with a
sample per region, and a region whose Placement stops is shown down with the reason, then
up again on the first round after it returns."""
import datetime
import time

import pytest
import requests
from keystoneauth1 import exceptions as ks_exc
from prometheus_client.parser import text_string_to_metric_families

from tests.integration.conftest import User, wait_job
from tests.integration.server import Server, start_albatross

pytestmark = pytest.mark.devcloud
CLASSES = ("VCPU", "MEMORY_MB", "DISK_GB")
SCRAPE_TOKEN = "scrape-secret-for-tests"
STOPPED = "RegionThree"   # the only service these tests may stop: its Placement


@pytest.fixture(scope="module")
def server(devcloud, tmp_path_factory):
    srv = start_albatross(devcloud, tmp_path_factory.mktemp("indicators"),
                          {"indicators": {"collect_interval": 2,
                                          "metrics_token": SCRAPE_TOKEN}})
    yield srv
    srv.stop()
    assert SCRAPE_TOKEN not in srv.log()   # a secret never reaches the log


@pytest.fixture(scope="module")
def admin(devcloud, server) -> User:
    user = User(devcloud, "admin")
    user.base_url = server.url
    return user


def utcnow() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC).replace(tzinfo=None, microsecond=0)


def summary_after(admin: User, after: datetime.datetime, timeout: float = 60) -> dict:
    """The summary of a round that started after `after`."""
    deadline = time.monotonic() + timeout
    while True:
        got = admin.call("GET", "/v1/indicators/summary")
        assert got.status_code == 200, got.text
        body = got.json()
        at = body["collected_at"]
        if at and datetime.datetime.fromisoformat(at.rstrip("Z")) > after:
            return body
        assert time.monotonic() < deadline, f"no round after {after}: {body}"
        time.sleep(0.5)


def placement(conn) -> dict[str, dict[str, float]]:
    """What Placement itself says, provider by provider."""
    out = {rc: {"capacity": 0.0, "used": 0.0} for rc in CLASSES}
    for rp in conn.placement.resource_providers():
        for inv in conn.placement.resource_provider_inventories(rp):
            if inv.resource_class in out:
                out[inv.resource_class]["capacity"] += \
                    (inv.total - inv.reserved) * inv.allocation_ratio
        for rc, used in (conn.placement.fetch_resource_provider_usages(rp).usages or {}).items():
            if rc in out:
                out[rc]["used"] += used
    return out


def retried(fn, tries: int = 10):
    """Other people restart Glance and Neutron now and then: try again on a refused
    connection (the request never arrived)."""
    for attempt in range(tries):
        try:
            return fn()
        except ks_exc.ConnectFailure:
            if attempt == tries - 1:
                raise
            time.sleep(3)


def boot_server(project, region: str) -> int:
    """A server of the throwaway project in the full-Nova region; returns its vCPUs."""
    admin_conn = project.cloud["conns"][region]
    _uid, connect = project.member()
    user = connect(region)
    flavor = admin_conn.compute.create_flavor(name=project.tag, ram=128, vcpus=2, disk=1)
    project.cleanups.append(lambda: admin_conn.compute.delete_flavor(flavor))
    image = retried(lambda: user.image.create_image(
        project.tag, data=b"\0" * 4096, disk_format="raw", container_format="bare",
        wait=True))
    project.cleanups.append(lambda: retried(lambda: user.image.delete_image(image)))
    server = retried(lambda: user.compute.create_server(
        name=project.tag, flavor_id=flavor.id, image_id=image.id, networks="none"))

    def delete_server():
        admin_conn.compute.delete_server(server)
        admin_conn.compute.wait_for_delete(server, interval=0.5, wait=60)
    project.cleanups.append(delete_server)
    user.compute.wait_for_server(server, status="ACTIVE", interval=0.5, wait=120)
    return flavor.vcpus


def test_summary_matches_every_regions_placement(admin, server, cloud, project, regions):
    vcpus = boot_server(project, regions[0])
    resp = admin.call("PUT", f"/v1/projects/{project.id}/quotas", json={"limits": {"cores": 8}})
    assert resp.status_code == 202, resp.text
    project.cleanups.append(lambda: admin.call("DELETE", f"/v1/projects/{project.id}/quotas"))
    assert wait_job(admin, resp.json()["job"]["id"])["status"] == "SUCCESS"

    for _attempt in range(5):   # others may boot servers meanwhile: compare a quiet moment
        before = {r: placement(cloud["conns"][r]) for r in regions}
        summary = summary_after(admin, utcnow())
        after = {r: placement(cloud["conns"][r]) for r in regions}
        if before == after:
            break
    assert before == after, "Placement kept changing"
    by_region = {r["region"]: r for r in summary["regions"]}
    assert set(by_region) == set(regions)
    for region in regions:
        assert by_region[region]["status"] == "up", by_region[region]
        assert by_region[region]["capacity"] == {
            rc: {**v, "utilization": v["used"] / v["capacity"] if v["capacity"] else None}
            for rc, v in after[region].items()}, region
    for rc in CLASSES:
        overall = summary["overall"]["capacity"][rc]
        assert overall["capacity"] == sum(after[r][rc]["capacity"] for r in regions)
        assert overall["used"] == sum(after[r][rc]["used"] for r in regions)
    assert after[regions[0]]["VCPU"]["used"] >= vcpus
    assert by_region[regions[0]]["counts"]["servers"] >= 1

    member = project.api_member(server.url)
    mine = member.call("GET", "/v1/indicators", params={"project_id": project.id,
                                                        "step": "1m"})
    assert mine.status_code == 200, mine.text
    last = {(s["name"], s["region"], s["labels"]["resource"]): s["points"][-1]["mean"]
            for s in mine.json()["series"]}
    assert last[("project_usage", regions[0], "cores")] == vcpus
    assert last[("project_headroom", "all", "cores")] == 8 - vcpus
    assert member.call("GET", "/v1/indicators/summary").status_code == 403
    assert member.call("GET", "/v1/indicators", params={"name": "capacity"}).status_code == 403


def test_metrics_are_prometheus_text_with_a_sample_per_region(admin, server, regions):
    summary_after(admin, utcnow())
    resp = requests.get(server.url + "/metrics", timeout=30,
                        headers={"Authorization": f"Bearer {SCRAPE_TOKEN}"})
    assert resp.status_code == 200 and resp.headers["Content-Type"].startswith("text/plain")
    families = {f.name: f for f in text_string_to_metric_families(resp.text)}
    for name in ("albatross_region_up", "albatross_capacity", "albatross_endpoint_up",
                 "albatross_resource_count"):
        assert {s.labels["region"] for s in families[name].samples} == set(regions), name
    capacity = {(s.labels["region"], s.labels["resource"]) for s in
                families["albatross_capacity"].samples}
    assert capacity == {(r, rc) for r in regions for rc in CLASSES}
    assert admin.call("GET", "/metrics").status_code == 200
    demo = User(admin.info, "demo")
    demo.base_url = server.url
    assert demo.call("GET", "/metrics").status_code == 403
    assert requests.get(server.url + "/metrics", timeout=30).status_code == 401


def _wait_for(admin: User, server: Server, ok, what: str, timeout: float = 90) -> dict:
    """Summaries of fresh rounds until `ok(by_region)`; other people's restarts of Glance
    or Neutron may make another region down for a round, so a wait, not one look."""
    deadline = time.monotonic() + timeout
    while True:
        by_region = {r["region"]: r for r in summary_after(admin, utcnow())["regions"]}
        if ok(by_region):
            return by_region
        warnings = [line for line in server.log().splitlines() if " WARNING " in line]
        assert time.monotonic() < deadline, \
            f"{what}: {[(r, s['status'], s['reason']) for r, s in by_region.items()]}\n" + \
            "\n".join(warnings[-20:])


def test_a_stopped_placement_is_down_with_its_reason_then_back(devcloud, admin, server,
                                                              regions):
    if STOPPED not in regions:
        pytest.fail(f"this test needs {STOPPED} (ALBATROSS_TEST_REGIONS=3 or more)")
    others = [r for r in regions if r != STOPPED]
    _wait_for(admin, server, lambda s: s[STOPPED]["status"] == "up", f"{STOPPED} up first")
    devcloud["cloud"].stop_service(STOPPED, "placement")
    try:
        down = _wait_for(admin, server, lambda s: s[STOPPED]["status"] == "down"
                         and all(s[r]["status"] == "up" for r in others),
                         f"{STOPPED} down and the others up")
        assert down[STOPPED]["reason"] == "placement: service unreachable (connection failed)"
        scraped = {s.labels["region"]: s.value for f in text_string_to_metric_families(
            admin.call("GET", "/metrics").text) if f.name == "albatross_region_up"
            for s in f.samples}
        assert scraped[STOPPED] == 0.0 and all(scraped[r] == 1.0 for r in others)
    finally:
        devcloud["cloud"].start_service(STOPPED, "placement")
    back = _wait_for(admin, server, lambda s: s[STOPPED]["status"] == "up",
                     f"{STOPPED} back up")
    assert back[STOPPED]["reason"] is None
    assert back[STOPPED]["capacity_as_of"] == back[STOPPED]["checked_at"]
    history = admin.call("GET", "/v1/indicators", params={
        "name": "region_up", "region": STOPPED, "step": "1m"}).json()["series"][0]["points"]
    assert min(p["min"] for p in history) == 0.0 and history[-1]["max"] == 1.0
