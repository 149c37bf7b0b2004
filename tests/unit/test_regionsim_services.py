"""The simulator's Glance, Placement and counted listings through openstacksdk, as Albatross
calls them (regions/images.py, regions/indicators.py): discovery of every service, image data
in and out at the region's `bandwidth_mbps`, an upload that breaks leaving the image queued,
Placement's usages following the region's servers, every kind counted; the version root of
every endpoint answers the health probe, and not at all while the region is down."""
import hashlib
import time

import pytest
import requests
from openstack import exceptions as sdk_exc

from albatross.indicators.catalog import COUNTED_KINDS
from albatross.regions import images as glance
from albatross.regions import indicators
from albatross.regionsim.app import Simulator
from albatross.regionsim.compute import Servers
from albatross.regionsim.errors import ApiError
from albatross.regionsim.runner import Running
from albatross.regionsim.state import Region

RAW = {"name": "i", "disk_format": "raw", "container_format": "bare"}


@pytest.fixture(scope="module")
def sim():
    running = Running(Simulator(["Sim0001", "Sim0002"]))
    yield running
    running.stop()


def test_servers_take_their_flavor_from_the_node():
    servers = Servers()
    made = servers.create({"name": "s", "flavorRef": "3"}, "p", "u")
    assert made["status"] == "ACTIVE" and servers.usages() == {
        "VCPU": 2, "MEMORY_MB": 4096, "DISK_GB": 40}
    generation = servers.provider("R")["generation"]
    servers.delete(made["id"])
    assert servers.usages() == {"VCPU": 0, "MEMORY_MB": 0, "DISK_GB": 0}
    assert servers.provider("R")["generation"] == generation + 1
    assert servers.provider("R")["uuid"] == Servers().provider("R")["uuid"]
    with pytest.raises(ApiError) as refused:
        servers.create({"flavorRef": "99"}, "p", "u")
    assert refused.value.status == 400
    with pytest.raises(ApiError):
        servers.get(made["id"])


def test_a_projects_servers_are_its_compute_usage():
    region = Region("R")
    region.servers.create({"flavorRef": "2"}, "p", "u")
    region.servers.create({"flavorRef": "1"}, "other", "u")
    usage = region.quota("compute", "p", usage=True)
    assert {n: usage[n]["in_use"] for n in ("instances", "cores", "ram")} == {
        "instances": 1, "cores": 1, "ram": 2048}


def test_images_through_openstacksdk_as_albatross_calls_glance(sim):
    conn = sim.connection("Sim0001")
    data = bytes(range(256)) * 800
    image_id = glance.create_record(conn, RAW, image_id=None, owner="p1")
    glance.upload(conn, image_id, iter([data[:100_000], data[100_000:]]), len(data))
    state = glance.read_image(conn, image_id)
    assert (state.status, state.size, state.checksum) == ("active", len(data),
                                                          hashlib.md5(data).hexdigest())
    resp = glance.download(conn, image_id)
    assert b"".join(resp.iter_content(glance.CHUNK)) == data
    assert resp.headers["Content-MD5"] == state.checksum
    assert [r["id"] for r in glance.list_raw(conn, owner="p1")] == [image_id]
    assert glance.list_raw(sim.connection("Sim0002"), owner="p1") == []   # per region
    with pytest.raises(sdk_exc.ConflictException):
        glance.create_record(conn, RAW, image_id=image_id, owner="p1")


def test_a_broken_upload_leaves_the_image_queued(sim):
    conn = sim.connection("Sim0001")
    image_id = glance.create_record(conn, RAW, image_id=None, owner="p2")

    def breaks():
        yield b"x" * 100_000
        raise RuntimeError("the source broke")
    with pytest.raises(RuntimeError):
        glance.upload(conn, image_id, breaks(), 200_000)
    deadline = time.monotonic() + 5
    while glance.read_image(conn, image_id).status != "queued" and time.monotonic() < deadline:
        time.sleep(0.05)
    assert glance.read_image(conn, image_id).status == "queued"
    glance.upload(conn, image_id, iter([b"y" * 10]), 10)
    assert glance.read_image(conn, image_id).size == 10


def test_the_bandwidth_knob_paces_image_data_each_way(sim):
    conn = sim.connection("Sim0002")
    data = b"z" * 250_000                   # 0.5 s each way at 4 Mbit/s
    image_id = glance.create_record(conn, RAW, image_id=None, owner="p3")
    resp = requests.put(f"{sim.url}/_sim/regions/Sim0002", json={"bandwidth_mbps": 4},
                        timeout=10)
    assert resp.json()["regions"]["Sim0002"]["bandwidth_mbps"] == 4
    try:
        t0 = time.monotonic()
        glance.upload(conn, image_id, iter([data]), len(data))
        t1 = time.monotonic()
        assert b"".join(glance.download(conn, image_id).iter_content(glance.CHUNK)) == data
        t2 = time.monotonic()
    finally:
        requests.put(f"{sim.url}/_sim/regions/Sim0002", json={"bandwidth_mbps": 0},
                     timeout=10)
    assert t1 - t0 >= 0.45 and t2 - t1 >= 0.45, (t1 - t0, t2 - t1)


def test_placement_and_the_counts_follow_the_regions_objects(sim):
    conn = sim.connection("Sim0002")
    before = indicators.read_placement(conn)
    assert before["VCPU"] == {"capacity": 256.0, "used": 0.0}
    counts = {k: indicators.count(conn, k) for k in COUNTED_KINDS}
    server = conn.compute.create_server(name="s", flavor_id="2", image_id="none",
                                        networks="none")
    net = conn.network.create_network(name="n", project_id="p4")
    conn.network.create_port(network_id=net.id, project_id="p4")
    after = indicators.read_placement(conn)
    assert {rc: after[rc]["used"] for rc in after} == {"VCPU": 1, "MEMORY_MB": 2048,
                                                       "DISK_GB": 20}
    assert {k: indicators.count(conn, k) - counts[k] for k in COUNTED_KINDS} == {
        "servers": 1, "volumes": 0, "images": 0, "networks": 1, "ports": 1,
        "floating_ips": 0}
    assert conn.compute.get_server(server.id).status == "ACTIVE"
    conn.compute.delete_server(server)
    assert indicators.read_placement(conn) == before
    with pytest.raises(sdk_exc.NotFoundException):
        conn.placement.fetch_resource_provider_usages("no-such-provider")


def _roots(sim, region: str) -> list[str]:
    """Each endpoint without its version segment, as the health probe GETs it."""
    return [f"{sim.url}/{region}/{path}" for path in ("compute/", "volume/", "network",
                                                      "image", "placement")]


def test_every_version_root_answers_the_probe_and_none_while_down(sim):
    for url in _roots(sim, "Sim0001"):
        resp = requests.get(url, timeout=10)
        assert resp.status_code < 500 and resp.json()["versions"], url
    assert requests.get(f"{sim.url}/Sim0001/image/versions", timeout=10).status_code == 200
    knobs = sim.sim.knobs["Sim0001"]
    knobs.down = True
    try:
        for url in _roots(sim, "Sim0001"):
            with pytest.raises(requests.ConnectionError):
                requests.get(url, timeout=10)
    finally:
        knobs.down = False
