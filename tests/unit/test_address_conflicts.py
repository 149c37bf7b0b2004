"""Cross-region address conflicts: every detector against a brute-force pairwise check on
random records (no false negatives, no false positives), deterministic output, and examples
of each rule (nested and equal CIDRs, same region, groups, IPv6 spellings, MAC ranking)."""
import dataclasses
import ipaddress
import random
from itertools import combinations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from albatross.addresses.conflicts import (external_ip_duplicates, find_conflicts,
                                           fixed_ip_conflicts, group_of, mac_duplicates,
                                           subnet_overlaps)
from albatross.addresses.ip import parse_cidr
from albatross.addresses.model import (EXTERNAL_IP, FIXED_IP, MAC, SUBNET_OVERLAP, FloatingIP,
                                       Port, RouterGateway, Subnet)

REGIONS = ("R1", "R2", "R3")
NETWORKS = ("n1", "n2", "n3", "n4")
PROJECTS = ("p1", "p2")
group_maps = st.one_of(st.none(), st.dictionaries(st.sampled_from(NETWORKS),
                                                  st.sampled_from(("g1", "g2"))))


def spelled(address: ipaddress._BaseAddress, upper: bool, exploded: bool) -> str:
    text = address.exploded if exploded else str(address)
    return text.upper() if upper else text


@st.composite
def cidrs(draw) -> str:
    """Small spaces, so that nested and equal CIDRs are frequent; IPv6 in any spelling."""
    if draw(st.booleans()):
        base, width, low = int(ipaddress.ip_address("10.0.0.0")), 32, 24
        net = ipaddress.IPv4Network
    else:
        base, width, low = int(ipaddress.ip_address("2001:db8::")), 128, 120
        net = ipaddress.IPv6Network
    prefixlen = draw(st.integers(low, width))
    offset = draw(st.integers(0, (1 << (width - low)) - 1))
    block = net((base + offset, prefixlen), strict=False)
    return (f"{spelled(block.network_address, draw(st.booleans()), draw(st.booleans()))}"
            f"/{prefixlen}")


@st.composite
def subnet_lists(draw) -> list[Subnet]:
    n = draw(st.integers(0, 25))
    return [Subnet(draw(st.sampled_from(REGIONS)), draw(st.sampled_from(PROJECTS)),
                   draw(st.sampled_from(NETWORKS)), f"s{i}", draw(cidrs()), 0)
            for i in range(n)]


def brute_group(record, groups) -> str:
    return (groups or {}).get(record.network_id) or f"project:{record.project_id}"


@given(subnet_lists(), group_maps)
def test_subnet_overlaps_match_pairwise_check(subnets, groups):
    expected = set()
    for a, b in combinations(subnets, 2):
        na, nb = (ipaddress.ip_network(s.cidr.lower()) for s in (a, b))
        if (a.region != b.region and na.version == nb.version and na.overlaps(nb)
                and brute_group(a, groups) == brute_group(b, groups)):
            smaller = na if na.prefixlen >= nb.prefixlen else nb
            expected.add((frozenset((a.subnet_id, b.subnet_id)), str(smaller),
                          brute_group(a, groups)))
    found = subnet_overlaps(subnets, groups)
    got = {(frozenset((c.side_a["subnet_id"], c.side_b["subnet_id"])), c.key, c.group)
           for c in found}
    assert got == expected
    assert len(found) == len(got)           # each pair once
    assert all(c.kind == SUBNET_OVERLAP and c.side_a["region"] < c.side_b["region"]
               for c in found)


@given(subnet_lists(), group_maps, st.randoms(use_true_random=False))
def test_output_does_not_depend_on_input_order(subnets, groups, rnd):
    shuffled = list(subnets)
    rnd.shuffle(shuffled)
    assert subnet_overlaps(shuffled, groups) == subnet_overlaps(subnets, groups)


IPS = [ipaddress.ip_address(a) for a in ("10.0.0.1", "10.0.0.2", "2001:db8::1", "2001:db8::a")]
MACS = ("fa:16:3e:00:00:01", "FA:16:3E:00:00:01", "fa:16:3e:00:00:02")


@st.composite
def port_lists(draw) -> list[Port]:
    ports = []
    for i in range(draw(st.integers(0, 20))):
        chosen = draw(st.lists(st.sampled_from(IPS), max_size=2, unique=True))
        fixed = tuple((f"sub-{ip.version}", spelled(ip, draw(st.booleans()), draw(st.booleans())))
                      for ip in chosen)
        ports.append(Port(draw(st.sampled_from(REGIONS)), draw(st.sampled_from(PROJECTS)),
                          draw(st.sampled_from(NETWORKS)), f"port{i}",
                          draw(st.sampled_from(MACS)), fixed, "compute:nova", f"vm{i}"))
    return ports


@given(port_lists(), group_maps)
def test_fixed_ip_conflicts_match_pairwise_check(ports, groups):
    entries = [(p, ipaddress.ip_address(ip.lower())) for p in ports for _, ip in p.fixed_ips]
    expected = {(frozenset((a.port_id, b.port_id)), str(ia), brute_group(a, groups))
                for (a, ia), (b, ib) in combinations(entries, 2)
                if a.region != b.region and ia == ib
                and brute_group(a, groups) == brute_group(b, groups)}
    found = fixed_ip_conflicts(ports, groups)
    got = {(frozenset((c.side_a["port_id"], c.side_b["port_id"])), c.key, c.group)
           for c in found}
    assert got == expected and len(found) == len(got)
    assert all(c.kind == FIXED_IP and c.side_a["subnet_id"].startswith("sub-") for c in found)


@given(port_lists(), group_maps)
def test_mac_duplicates_match_pairwise_check_same_group_first(ports, groups):
    expected = set()
    for a, b in combinations(ports, 2):
        if a.region != b.region and a.mac.lower() == b.mac.lower():
            ga, gb = brute_group(a, groups), brute_group(b, groups)
            expected.add((frozenset((a.port_id, b.port_id)), a.mac.lower(),
                          ga if ga == gb else None))
    found = mac_duplicates(ports, groups)
    assert {(frozenset((c.side_a["port_id"], c.side_b["port_id"])), c.key, c.group)
            for c in found} == expected
    assert len(found) == len(expected)
    ranks = [c.group is None for c in found]
    assert ranks == sorted(ranks)           # every same-group duplicate before the others


@given(st.lists(st.tuples(st.sampled_from(REGIONS), st.sampled_from(("f1", "f2", "f3")),
                          st.sampled_from(IPS))),
       st.lists(st.tuples(st.sampled_from(REGIONS), st.sampled_from(("r1", "r2")),
                          st.sets(st.sampled_from(IPS), max_size=2))))
def test_external_ip_duplicates_match_pairwise_check(fip_rows, gateway_rows):
    fips = [FloatingIP(region, "p1", fid, str(ip)) for region, fid, ip in fip_rows]
    gateways = [RouterGateway(region, "p1", rid, "ext", tuple(map(str, ips)))
                for region, rid, ips in gateway_rows]
    holders = {(ip, "fip", region, fid) for region, fid, ip in fip_rows}
    holders |= {(ip, "gateway", region, rid) for region, rid, ips in gateway_rows for ip in ips}
    expected = {(frozenset((a[1:], b[1:])), str(a[0])) for a, b in combinations(holders, 2)
                if a[0] == b[0]}
    found = external_ip_duplicates(fips, gateways)

    def holder(side):
        kind = "fip" if "fip_id" in side else "gateway"
        return kind, side["region"], side.get("fip_id") or side.get("router_id")

    assert {(frozenset((holder(c.side_a), holder(c.side_b))), c.key) for c in found} == expected
    assert len(found) == len(expected)
    assert all(c.kind == EXTERNAL_IP and c.group is None for c in found)


def subnet(region, cidr, network="n1", project="p1", sid=None, name="",
           network_name="") -> Subnet:
    return Subnet(region, project, network, sid or f"{region}-{cidr}", cidr, 0,
                  name=name, network_name=network_name)


def test_a_nested_cidr_is_an_overlap_keyed_by_the_smaller_one_and_names_both_sides():
    [c] = subnet_overlaps([subnet("R2", "10.0.1.0/24", "net-b", sid="sb", name="batch-v4",
                                  network_name="batch"),
                           subnet("R1", "10.0.0.0/16", "net-a", sid="sa", name="app-v4",
                                  network_name="app")])
    assert (c.kind, c.key, c.group) == (SUBNET_OVERLAP, "10.0.1.0/24", "project:p1")
    assert c.side_a == {"region": "R1", "project_id": "p1", "network_id": "net-a",
                        "subnet_id": "sa", "cidr": "10.0.0.0/16", "subnet_name": "app-v4",
                        "network_name": "app"}
    assert c.side_b == {"region": "R2", "project_id": "p1", "network_id": "net-b",
                        "subnet_id": "sb", "cidr": "10.0.1.0/24", "subnet_name": "batch-v4",
                        "network_name": "batch"}


def test_names_are_for_people_only():
    """The same records renamed give the same conflicts (names never match or order), and
    unnamed records have empty names on their sides."""
    plain = [subnet("R1", "10.0.0.0/24", "n1", sid="a"), subnet("R2", "10.0.0.0/24", "n2",
                                                                sid="b")]
    named = [dataclasses.replace(s, name=f"sub-{s.subnet_id}", network_name="same")
             for s in plain]
    assert [(c.key, c.side_a["subnet_id"], c.side_b["subnet_id"])
            for c in subnet_overlaps(named)] == \
        [(c.key, c.side_a["subnet_id"], c.side_b["subnet_id"]) for c in subnet_overlaps(plain)]
    [c] = subnet_overlaps(plain)
    assert (c.side_a["subnet_name"], c.side_a["network_name"]) == ("", "")


def test_the_same_cidr_in_three_regions_is_three_conflicts():
    found = subnet_overlaps([subnet(r, "192.168.0.0/24") for r in ("R3", "R1", "R2")])
    assert [(c.side_a["region"], c.side_b["region"]) for c in found] == [
        ("R1", "R2"), ("R1", "R3"), ("R2", "R3")]


def test_overlaps_inside_one_region_are_left_to_neutron():
    assert subnet_overlaps([subnet("R1", "10.0.0.0/24", "n1", sid="a"),
                            subnet("R1", "10.0.0.0/24", "n2", sid="b"),
                            subnet("R1", "10.0.0.0/16", "n1", sid="c")]) == []


def test_only_networks_of_one_connectivity_group_conflict():
    subnets = [subnet("R1", "10.0.0.0/24", "n1"), subnet("R2", "10.0.0.0/24", "n2")]
    assert len(subnet_overlaps(subnets)) == 1                       # one project: one group
    assert subnet_overlaps(subnets, {"n1": "east", "n2": "west"}) == []
    assert len(subnet_overlaps(subnets, {"n1": "vpn", "n2": "vpn"})) == 1
    assert subnet_overlaps([subnet("R1", "10.0.0.0/24", project="p1"),
                            subnet("R2", "10.0.0.0/24", project="p2")]) == []
    assert group_of("n3", "p1", {"n1": "vpn"}) == "project:p1"      # unmapped: project default


def test_ipv4_and_ipv6_are_separate_and_ipv6_spellings_are_one_address():
    assert subnet_overlaps([subnet("R1", "0.0.0.0/0"), subnet("R2", "::/0")]) == []
    [c] = subnet_overlaps([subnet("R1", "2001:DB8:0:0::/64"), subnet("R2", "2001:db8::/48")])
    assert c.key == "2001:db8::/64"


def test_host_bits_are_masked_and_malformed_cidrs_rejected():
    assert subnet_overlaps([subnet("R1", "10.0.0.5/24"), subnet("R2", "10.0.0.0/24")])[0].key \
        == "10.0.0.0/24"
    assert parse_cidr("10.0.0.7") == parse_cidr("10.0.0.7/32")
    for bad in ("10.0.0.0/33", "10.0.0/24", "10.0.0.0/ 24", "10.0.0.0/-1", "fe80::1%eth0/64",
                "2001:db8::/129", "not-an-ip"):
        with pytest.raises(ValueError, match="not a"):
            subnet_overlaps([subnet("R1", bad)])


def port(region, pid, mac="fa:16:3e:00:00:01", ips=(), network="n1", project="p1",
         name="", network_name="") -> Port:
    return Port(region, project, network, pid, mac, tuple(("sub", ip) for ip in ips),
                "compute:nova", f"vm-{pid}", name, network_name)


def test_fixed_ip_conflict_names_both_ports_and_their_devices():
    found = fixed_ip_conflicts([port("R2", "b", ips=["10.0.0.5"]),
                                port("R1", "a", ips=["10.0.0.5"]),
                                port("R1", "c", ips=["10.0.0.5"], network="n2")])
    assert [(c.kind, c.key, c.side_a["port_id"], c.side_b["port_id"]) for c in found] == [
        (FIXED_IP, "10.0.0.5", "a", "b"), (FIXED_IP, "10.0.0.5", "c", "b")]  # not a with c
    assert found[0].side_a == {"region": "R1", "project_id": "p1", "network_id": "n1",
                               "port_id": "a", "device_owner": "compute:nova",
                               "device_id": "vm-a", "subnet_id": "sub", "port_name": "",
                               "network_name": "", "subnet_name": ""}


def test_fixed_ip_sides_name_the_port_its_network_and_the_subnet_of_that_ip():
    ports = [port("R1", "a", ips=["10.0.0.5"], name="web-1", network_name="app"),
             port("R2", "b", ips=["10.0.0.5"], name="web-2", network_name="app-east")]
    subnets = [subnet("R1", "10.0.0.0/24", sid="sub", name="app-v4"),
               subnet("R2", "10.0.0.0/24", sid="sub", name="app-east-v4")]
    [c] = [c for c in find_conflicts(subnets, ports) if c.kind == FIXED_IP]
    assert c.side_a == {"region": "R1", "project_id": "p1", "network_id": "n1",
                        "port_id": "a", "device_owner": "compute:nova", "device_id": "vm-a",
                        "subnet_id": "sub", "port_name": "web-1", "network_name": "app",
                        "subnet_name": "app-v4"}
    assert (c.side_b["port_name"], c.side_b["network_name"], c.side_b["subnet_name"]) == \
        ("web-2", "app-east", "app-east-v4")       # each region's own subnet "sub"
    [mac] = [c for c in find_conflicts(subnets, ports) if c.kind == MAC]
    assert "subnet_name" not in mac.side_a and mac.side_a["port_name"] == "web-1"
    [alone] = fixed_ip_conflicts(ports)             # no subnets given: the name is unknown
    assert alone.side_a["subnet_name"] == ""


def test_mac_duplicates_in_one_group_rank_before_the_others():
    found = mac_duplicates([port("R1", "a", "fa:16:3e:00:00:09", project="p2"),
                            port("R2", "b", "FA:16:3E:00:00:09", project="p2"),
                            port("R1", "c", "fa:16:3e:00:00:01", project="p1"),
                            port("R2", "d", "fa:16:3e:00:00:01", project="p9"),
                            port("R1", "e", "fa:16:3e:00:00:05"),
                            port("R1", "f", "fa:16:3e:00:00:05", network="n2")])  # one region
    assert [(c.key, c.group) for c in found] == [("fa:16:3e:00:00:09", "project:p2"),
                                                 ("fa:16:3e:00:00:01", None)]


def test_a_floating_ip_twice_is_a_conflict_even_in_one_region_but_one_object_is_not():
    fip = FloatingIP("R1", "p1", "f1", "203.0.113.7", "10.0.0.5", "port-1", "ext", "bastion")
    assert external_ip_duplicates([fip, fip]) == []
    [c] = external_ip_duplicates([fip, FloatingIP("R1", "p2", "f2", "203.0.113.7")])
    assert (c.key, c.side_a["fip_id"], c.side_b["fip_id"]) == ("203.0.113.7", "f1", "f2")
    assert c.side_a == {"region": "R1", "project_id": "p1", "fip_id": "f1", "network_id": "ext",
                        "port_id": "port-1", "fixed_ip": "10.0.0.5", "description": "bastion"}
    assert c.side_b["description"] == ""
    [c] = external_ip_duplicates([fip], [RouterGateway("R2", "p3", "router-9", "ext2",
                                                       ("203.0.113.7", "203.0.113.8"),
                                                       "edge")])
    assert c.side_b == {"region": "R2", "project_id": "p3", "network_id": "ext2",
                        "router_id": "router-9", "router_name": "edge"}


def test_find_conflicts_reports_every_kind_in_order():
    ports = [port("R1", "a", ips=["10.0.0.5"]), port("R2", "b", ips=["10.0.0.5"])]
    fips = [FloatingIP("R1", "p1", "f1", "203.0.113.7"),
            FloatingIP("R2", "p1", "f2", "203.0.113.7")]
    found = find_conflicts([subnet("R1", "10.0.0.0/24"), subnet("R2", "10.0.0.0/24")], ports,
                           fips)
    assert [c.kind for c in found] == [SUBNET_OVERLAP, FIXED_IP, EXTERNAL_IP, MAC]


def test_shuffled_ports_give_the_same_conflicts():
    ports = [port(r, f"{r}-{i}", f"fa:16:3e:00:00:0{i % 3}", [f"10.0.0.{i % 4}"])
             for r in REGIONS for i in range(9)]
    shuffled = random.Random(7).sample(ports, len(ports))
    assert find_conflicts(ports=shuffled) == find_conflicts(ports=ports)
