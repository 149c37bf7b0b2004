"""The region simulator through openstacksdk, as Albatross calls it: keypairs per user with
Nova's fingerprint, 409 and 404 where Nova gives them; security groups with Neutron's default
group and rules, bulk rules all-or-none, tags; per region state; the knobs: a region that is
down drops the connection, one with an error rate of 1 answers 500, and the round-trip time
is the region's own (set, not timed here)."""
import pytest
from keystoneauth1 import exceptions as ks_exc
from openstack import exceptions as sdk_exc
from openstack.network.v2 import security_group as _sg

from albatross.regionsim.__main__ import region_names
from albatross.regionsim.app import Simulator
from albatross.regionsim.runner import Running
from albatross.regionsim.state import fingerprint

KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIIJ5w5fH1mXl7q0n4kJrS7hY6b0m7m8b1m0y7r3XcU3c x"


@pytest.fixture(scope="module")
def sim():
    running = Running(Simulator(region_names(3)))
    yield running
    running.stop()


def test_keypairs_as_nova_keeps_them(sim):
    one, two = sim.connection("Sim0001"), sim.connection("Sim0002")
    made = one.compute.create_keypair(name="k", public_key=KEY, type="ssh", user_id="u1")
    assert made.fingerprint == fingerprint(KEY) and made.type == "ssh"
    assert one.compute.get_keypair("k", user_id="u1").public_key == KEY
    assert [k.name for k in one.compute.keypairs(user_id="u1")] == ["k"]
    assert list(one.compute.keypairs(user_id="u2")) == []       # per user
    assert list(two.compute.keypairs(user_id="u1")) == []       # per region
    with pytest.raises(sdk_exc.ConflictException):
        one.compute.create_keypair(name="k", public_key=KEY, user_id="u1")
    with pytest.raises(sdk_exc.NotFoundException):
        one.compute.get_keypair("nope", user_id="u1")
    with pytest.raises(sdk_exc.BadRequestException):
        one.compute.create_keypair(name="bad", public_key="not a key", user_id="u1")
    one.compute.delete_keypair("k", ignore_missing=False, user_id="u1")
    assert list(one.compute.keypairs(user_id="u1")) == []


def test_security_groups_as_neutron_keeps_them(sim):
    conn = sim.connection("Sim0003")
    [default] = conn.network.security_groups(project_id="p1")   # made by the first look
    assert default.name == "default" and len(default.security_group_rules) == 4
    g = conn.network.create_security_group(name="web", description="d", project_id="p1")
    assert sorted(r["ethertype"] for r in g.security_group_rules) == ["IPv4", "IPv6"]
    ssh = {"security_group_id": g.id, "project_id": "p1", "direction": "ingress",
           "ethertype": "IPv4", "protocol": "tcp", "port_range_min": 22, "port_range_max": 22}
    web = {**ssh, "port_range_min": 80, "port_range_max": 80}
    [rule] = list(conn.network.create_security_group_rules([ssh]))
    with pytest.raises(sdk_exc.ConflictException):            # all or none
        list(conn.network.create_security_group_rules([web, ssh]))
    assert len(conn.network.get_security_group(g.id).security_group_rules) == 3
    conn.network.set_tags(_sg.SecurityGroup.existing(id=g.id), ["b", "a"])
    conn.network.update_security_group(g.id, description="e")
    again = conn.network.get_security_group(g.id)
    assert (again.description, again.tags) == ("e", ["a", "b"])
    conn.network.delete_security_group_rule(rule.id, ignore_missing=False)
    with pytest.raises(sdk_exc.ConflictException):
        conn.network.delete_security_group(default.id, ignore_missing=False)
    conn.network.delete_security_group(g.id, ignore_missing=False)
    assert [x.name for x in conn.network.security_groups(project_id="p1")] == ["default"]
    with pytest.raises(sdk_exc.NotFoundException):             # no address groups here
        list(conn.network.address_groups(project_id="p1"))


def test_the_knobs_make_a_region_fail_as_a_real_one_does(sim):
    conn = sim.connection("Sim0002")
    list(conn.compute.keypairs(user_id="u1"))          # the versions discovered while up
    list(conn.network.security_groups(project_id="p2"))
    knobs = sim.sim.knobs
    try:
        knobs["Sim0002"].down = True
        with pytest.raises(ks_exc.ConnectFailure):
            list(conn.compute.keypairs(user_id="u1"))
        knobs["Sim0002"].down, knobs["Sim0002"].error_rate = False, 1.0
        with pytest.raises(sdk_exc.HttpException) as failed:
            list(conn.network.security_groups(project_id="p2"))
        assert failed.value.status_code == 500
    finally:
        knobs["Sim0002"].down, knobs["Sim0002"].error_rate = False, 0.0
    assert list(sim.connection("Sim0001").compute.keypairs(user_id="u9")) == []


def test_knobs_are_set_per_region_or_for_all(sim):
    import requests
    resp = requests.put(f"{sim.url}/_sim/regions/*", json={"rtt_ms": 5}, timeout=10)
    assert resp.status_code == 200 and len(resp.json()["regions"]) == 3
    resp = requests.put(f"{sim.url}/_sim/regions/Sim0001", json={"rtt_ms": 50}, timeout=10)
    shown = requests.get(f"{sim.url}/_sim/regions", timeout=10).json()["regions"]
    assert shown["Sim0001"]["rtt_ms"] == 50 and shown["Sim0003"]["rtt_ms"] == 5
    assert requests.put(f"{sim.url}/_sim/regions/Nowhere", json={}, timeout=10).status_code \
        == 404
    requests.put(f"{sim.url}/_sim/regions/*", json={"rtt_ms": 0}, timeout=10)


def test_region_names_sort_as_numbers():
    assert region_names(3) == ["Sim0001", "Sim0002", "Sim0003"]
    assert region_names(10000)[-1] == "Sim10000"


def test_quotas_as_the_services_keep_them(sim):
    """Nova's and Cinder's os-quota-sets and Neutron's quotas, as Albatross reads and writes
    them (regions/quotas.py): the defaults, usage counted from the region's objects, written
    limits read back, a limit under usage refused."""
    from albatross.regions import quotas
    conn = sim.connection("Sim0001")
    limits, used = quotas._read_network(conn, "pq", ["security_group", "security_group_rule"],
                                        True)
    assert limits == {"security_group": 10, "security_group_rule": 100}
    assert used == {"security_group": 1, "security_group_rule": 4}   # the default group
    assert quotas._read_compute(conn, "pq", ["cores"], True) == ({"cores": 20}, {"cores": 0})
    assert quotas._read_volume(conn, "pq", ["volumes"], False) == ({"volumes": 10}, None)
    assert quotas.write_project_limits(conn, "pq", {"cores": 8, "volumes": 3,
                                                    "security_group": 5}) == {
        "cores": 8, "volumes": 3, "security_group": 5}
    with pytest.raises(sdk_exc.BadRequestException):
        quotas.write_project_limits(conn, "pq", {"security_group": 0})
    assert quotas._read_network(conn, "pq", ["security_group"], False)[0] == {
        "security_group": 5}


def test_the_address_inventory_as_neutron_keeps_it(sim):
    """Networks, subnets (gateway and pool as Neutron makes them) and ports (the first free
    address of each subnet, Neutron's MAC prefix), read as the address refresh reads them;
    Neutron's `changed_since` filter (sent by a raw query: openstacksdk drops it)."""
    import requests
    from albatross.regions import addresses
    conn = sim.connection("Sim0001")
    net = conn.network.create_network(name="n", project_id="pa")
    conn.network.create_subnet(network_id=net.id, cidr="10.8.0.0/29", ip_version=4,
                               name="s", project_id="pa")
    ports = [conn.network.create_port(network_id=net.id, project_id="pa") for _ in range(5)]
    assert [p.fixed_ips[0]["ip_address"] for p in ports] == [
        f"10.8.0.{i}" for i in range(2, 7)]
    with pytest.raises(sdk_exc.ConflictException):          # the pool is used up
        conn.network.create_port(network_id=net.id, project_id="pa")
    inv = addresses.read_inventory(conn, "Sim0001", "pa")
    [subnet] = inv["subnets"]
    assert (subnet.gateway, subnet.allocation_pools) == ("10.8.0.1", (("10.8.0.2", "10.8.0.6"),))
    assert len(inv["ports"]) == 5 and all(p.mac.startswith("fa:16:3e:") for p in inv["ports"])
    assert inv["floating_ips"] == [] and inv["router_gateways"] == []
    base = f"{sim.url}/Sim0001/network/v2.0/ports"
    assert len(requests.get(base, params={"project_id": "pa", "changed_since":
                                          "2000-01-01T00:00:00Z"}, timeout=10).json()["ports"]) == 5
    assert requests.get(base, params={"changed_since": "2999-01-01T00:00:00Z"},
                        timeout=10).json()["ports"] == []
    with pytest.raises(sdk_exc.BadRequestException):
        conn.network.create_subnet(network_id=net.id, cidr="10.8.0.1/24", ip_version=4)
