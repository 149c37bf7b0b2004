"""The region simulator answers as the real services do: the same calls Albatross makes (its
regions/ functions, openstacksdk underneath) against the dev cloud's Nova, Neutron, Glance and
Placement and against the simulator give the same outcomes (status classes) and the same
values in every field Albatross reads. Ids and timestamps differ by nature and are left out
(image ids are the test's own, the same on both sides)."""
import dataclasses
import hashlib
import ipaddress
import time
import uuid

import pytest
from openstack import exceptions as sdk_exc

from albatross.indicators.catalog import COUNTED_KINDS, PLACEMENT_CLASSES
from albatross.regions import addresses
from albatross.regions import images as glance
from albatross.regions import indicators
from albatross.regions import keypairs as nova_keypairs
from albatross.regions import quotas
from albatross.regions import secgroups as neutron
from albatross.regionsim.app import Simulator
from albatross.regionsim.runner import Running
from albatross.secgroups.model import Rule

pytestmark = pytest.mark.devcloud
KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIIJ5w5fH1mXl7q0n4kJrS7hY6b0m7m8b1m0y7r3XcU3c x"
DATA = bytes(range(256)) * 1500    # 375 KiB: several chunks each way
RECORD = {"name": "contract", "disk_format": "raw", "container_format": "bare",
          "visibility": "private", "tags": ["b", "a"], "min_disk": 1, "foo": "bar"}


def _outcome(call):
    try:
        return "ok", call()
    except sdk_exc.HttpException as exc:
        return exc.status_code, None


def _keypair(kp) -> dict | None:
    return None if kp is None else {
        "name": kp.name, "public_key": kp.public_key, "type": kp.type,
        "fingerprint": kp.fingerprint}


def _rules(rules) -> list:
    return sorted((r.direction, r.ethertype, r.protocol, r.port_range_min, r.port_range_max,
                   r.remote_ip_prefix, bool(r.remote_group)) for r in rules.values())


def transcript(conn, project_id: str, user_id: str) -> list:
    """Albatross's calls, in the order a keypair sync, a security group sync and a quota
    rebalance make them."""
    out = []
    def kp():
        return nova_keypairs.create_keypair(conn, name="contract", public_key=KEY,
                                            type="ssh", user_id=user_id)
    out.append(("keypair absent", _keypair(nova_keypairs.get_keypair(conn, "contract",
                                                                      user_id))))
    status, made = _outcome(kp)
    out.append(("keypair created", status, _keypair(made)))
    out.append(("keypair again", _outcome(kp)[0]))
    out.append(("keypair listed", [_keypair(k) for k in nova_keypairs.list_keypairs(conn,
                                                                                   user_id)]))
    nova_keypairs.delete_keypair(conn, "contract", user_id)
    out.append(("keypair deleted", _keypair(nova_keypairs.get_keypair(conn, "contract",
                                                                       user_id))))
    first = neutron.read_snapshot(conn, project_id)
    out.append(("first look", sorted((g.name, _rules(g.rules)) for g in first.groups.values())))
    gid, rules = neutron.create_group(conn, project_id, "web", "contract", None)
    out.append(("group created", _rules(rules)))
    ssh = Rule("ingress", "IPv4", "tcp", 22, 22, "10.0.0.0/8", None, None, "")
    ids, calls = neutron.create_rules(conn, project_id, gid, [ssh])
    out.append(("rule created", len(ids), calls))
    out.append(("rule again", len(neutron.create_rules(conn, project_id, gid, [ssh])[0])))
    out.append(("tags", neutron.update_group(conn, gid, {"tags": ["b", "a"],
                                                        "description": "changed"})))
    group = neutron.read_snapshot(conn, project_id).groups[gid]
    out.append(("group read", group.name, group.description, sorted(group.tags),
                _rules(group.rules)))
    out.append(("limits written", quotas.write_project_limits(
        conn, project_id, {"security_group": 7, "volumes": 3, "key_pairs": 50})))
    out.append(("network usage", quotas._read_network(
        conn, project_id, ["security_group", "security_group_rule"], True)))
    out.append(("limit under usage", _outcome(lambda: quotas.write_project_limits(
        conn, project_id, {"security_group": 1}))[0]))
    neutron.delete_rule(conn, ids[0])
    neutron.delete_group(conn, gid)
    out.append(("group deleted", sorted(g.name for g in neutron.read_snapshot(
        conn, project_id).groups.values())))
    return out


def inventory(conn, project_id: str) -> dict:
    """A network with a subnet and a port, then the address inventory Albatross reads."""
    net = conn.network.create_network(name="contract-net", project_id=project_id)
    conn.network.create_subnet(network_id=net.id, cidr="10.77.0.0/24", ip_version=4,
                               name="contract-sub", project_id=project_id, enable_dhcp=False)
    conn.network.create_port(network_id=net.id, project_id=project_id, name="contract-port")
    read = addresses.read_inventory(conn, "R", project_id)
    [subnet] = read["subnets"]
    pool = [ipaddress.ip_address(a) for a in subnet.allocation_pools[0]]
    return {"subnets": [(s.cidr, s.ip_version, s.gateway, s.allocation_pools, s.name,
                         s.network_name) for s in read["subnets"]],
            "ports": [(p.mac[:9], [pool[0] <= ipaddress.ip_address(ip) <= pool[1]
                                   for _sid, ip in p.fixed_ips], p.device_owner, p.name,
                       p.network_name) for p in read["ports"]],
            "floating_ips": read["floating_ips"], "router_gateways": read["router_gateways"]}


def test_the_simulator_answers_as_nova_and_neutron(project, cloud, regions):
    real = cloud["conns"][regions[0]]
    user_id, _connect = project.member()
    sim = Running(Simulator(["Sim0001"]))
    try:
        simulated = transcript(sim.connection("Sim0001"), project.id, user_id)
        simulated_inventory = inventory(sim.connection("Sim0001"), project.id)
    finally:
        sim.stop()
    assert transcript(real, project.id, user_id) == simulated
    assert inventory(real, project.id) == simulated_inventory


def _image(state) -> dict | None:
    return None if state is None else dataclasses.replace(state, id="").to_dict()


def _pages(conn, owner: str, limit: int) -> list:
    """Glance's pages as they come: their sizes, whether a `next` follows, the links."""
    out, url, params = [], "/images", {"owner": owner, "limit": limit}
    while True:
        body = conn.image.get(url, params=params).json()
        nxt = body.get("next")
        out.append((len(body["images"]), body["first"], nxt and nxt.split("marker=")[0]))
        if not nxt:
            return out
        url, params = nxt[len("/v2"):], None


def images(conn, project_id: str, ids: list[str]) -> list:
    """Albatross's Glance calls in the order an image copy makes them (a record with the
    source's id and owner, the upload, the fields, a hide, a delete), then its listings."""
    a, b, *more = ids
    out = []
    def make(image_id, **fields):
        return glance.create_record(conn, {**RECORD, **fields}, image_id=image_id,
                                    owner=project_id)
    out.append(("created", _outcome(lambda: make(a))[0], _image(glance.read_image(conn, a))))
    out.append(("created again", _outcome(lambda: make(a))[0]))
    out.append(("no data yet", glance.download(conn, a).status_code))
    glance.upload(conn, a, iter([DATA[i:i + 100_000] for i in range(0, len(DATA), 100_000)]),
                  len(DATA))
    uploaded = glance.read_image(conn, a)
    out.append(("uploaded", _image(uploaded), uploaded.checksum == hashlib.md5(
        DATA).hexdigest(), uploaded.hash_value == hashlib.sha512(DATA).hexdigest()))
    out.append(("uploaded again", _outcome(lambda: glance.upload(conn, a, iter([b"x"]), 1))[0]))
    resp = glance.download(conn, a)
    body = b"".join(resp.iter_content(glance.CHUNK))
    out.append(("downloaded", resp.status_code, body == DATA,
                resp.headers.get("Content-MD5") == uploaded.checksum))
    out.append(("tags", glance.update_fields(conn, a, {"tags": ["a", "c"]}, [])))
    out.append(("patched", glance.update_fields(
        conn, a, {"protected": True, "min_ram": 64, "albatross_source_id": b}, ["foo"])))
    glance.set_hidden(conn, a, True)
    out.append(("read", _image(glance.read_image(conn, a))))
    out.append(("listed", [r["name"] for r in glance.list_raw(conn, owner=project_id)],
                [r["id"] == a for r in glance.list_raw(conn, owner=project_id, is_hidden=True)]))
    out.append(("not a member", glance.member_status(conn, a, "nobody")))
    make(b, name="shared", visibility="shared")
    out.append(("no such member", glance.member_status(conn, b, "nobody")))
    conn.image.add_member(b, member_id="somebody")
    out.append(("member", glance.member_status(conn, b, "somebody")))
    out.append(("by ids", [sorted(r["name"] for r in glance.list_raw(
        conn, id=f"in:{a},{b}", visibility="all", is_hidden=hidden)) for hidden in (False, True)]))
    out.append(("protected", _outcome(lambda: conn.image.delete_image(a, ignore_missing=False)
                                      )[0]))
    glance.delete_image(conn, a)
    out.append(("deleted", glance.read_image(conn, a), _outcome(lambda: make(a))[0]))
    for i, image_id in enumerate(more):
        make(image_id, name=f"page-{i}", tags=[])
    out.append(("paged", sorted(r["name"] for r in glance.list_raw(conn, owner=project_id,
                                                                    limit=2))))
    out.append(("pages", [_pages(conn, project_id, limit) for limit in (2, 3, 5)]))
    return out


def _used(conn) -> dict:
    return {rc: v["used"] for rc, v in indicators.read_placement(conn).items()}


def capacity_and_counts(conn, project_id: str, flavor_id: str, image_id: str) -> list:
    """Placement as the indicator rounds read it, and every kind's count, before and after a
    server, a network, a port and an image are made: what changes, and by how much."""
    [rp] = conn.placement.resource_providers()
    inventories = {i.resource_class: (i.min_unit, i.step_size, i.total - i.reserved > 0)
                   for i in conn.placement.resource_provider_inventories(rp)}
    out = [("inventory", inventories,
            sorted(conn.placement.fetch_resource_provider_usages(rp).usages))]
    capacity = indicators.read_placement(conn)
    out.append(("capacity", {rc: v["capacity"] > 0 for rc, v in capacity.items()}))
    counts, used = {k: indicators.count(conn, k) for k in COUNTED_KINDS}, _used(conn)
    net = conn.network.create_network(name="contract-count", project_id=project_id)
    conn.network.create_port(network_id=net.id, project_id=project_id)
    glance.create_record(conn, RECORD, image_id=image_id, owner=project_id)
    glance.upload(conn, image_id, iter([DATA]), len(DATA))
    server = conn.compute.create_server(name="contract", flavor_id=flavor_id,
                                        image_id=image_id, networks="none")
    try:
        conn.compute.wait_for_server(server, status="ACTIVE", interval=0.5, wait=120)
        now = _used(conn)
        out.append(("server used", {rc: now[rc] - used[rc] for rc in PLACEMENT_CLASSES}))
        out.append(("counted", {k: indicators.count(conn, k) - counts[k]
                                for k in COUNTED_KINDS}))
    finally:
        conn.compute.delete_server(server)
        conn.compute.wait_for_delete(server, interval=0.5, wait=60)
        glance.delete_image(conn, image_id)
    deadline = time.monotonic() + 30   # Nova frees the allocation as the server goes
    while _used(conn) != used and time.monotonic() < deadline:
        time.sleep(0.5)
    out.append(("freed", _used(conn) == used))
    return out


def test_the_simulator_answers_as_glance(project, cloud, regions):
    ids = [str(uuid.uuid4()) for _ in range(6)]
    sim = Running(Simulator(["Sim0001"]))
    try:
        simulated = images(sim.connection("Sim0001"), project.id, ids)
    finally:
        sim.stop()
    assert images(cloud["conns"][regions[0]], project.id, ids) == simulated


def test_the_simulator_answers_as_placement_and_the_counts(project, cloud):
    """In a region with a compute node (full Nova): a throwaway flavor as the simulator's
    m1.tiny (its flavor "1")."""
    if not cloud.get("nova_regions"):
        pytest.skip("no region of the dev cloud runs full Nova (up --full-nova)")
    region = cloud["nova_regions"][0]
    real = cloud["conns"][region]
    flavor = real.compute.create_flavor(name=project.tag, ram=512, vcpus=1, disk=1)
    project.cleanups.append(lambda: real.compute.delete_flavor(flavor))
    sim = Running(Simulator(["Sim0001"]))
    try:
        simulated = capacity_and_counts(sim.connection("Sim0001"), project.id, "1",
                                        str(uuid.uuid4()))
    finally:
        sim.stop()
    assert capacity_and_counts(real, project.id, flavor.id, str(uuid.uuid4())) == simulated
