"""The region simulator answers as the real services do: the same calls Albatross makes (its
regions/ functions, openstacksdk underneath) against the dev cloud's Nova and Neutron and
against the simulator give the same outcomes (status classes) and the same values in every
field Albatross reads. Ids and timestamps differ by nature and are left out."""
import ipaddress

import pytest
from openstack import exceptions as sdk_exc

from albatross.regions import addresses
from albatross.regions import keypairs as nova_keypairs
from albatross.regions import quotas
from albatross.regions import secgroups as neutron
from albatross.regionsim.app import Simulator
from albatross.regionsim.runner import Running
from albatross.secgroups.model import Rule

pytestmark = pytest.mark.devcloud
KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIIJ5w5fH1mXl7q0n4kJrS7hY6b0m7m8b1m0y7r3XcU3c x"


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
