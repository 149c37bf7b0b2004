"""Addresses claimed twice across regions. Neutron checks overlaps inside one region only (one
network, one router, one subnet pool or address scope); nothing checks across regions, yet
regions joined by VPNs, interconnects or stretched networks break when they reuse addresses.

Connectivity groups say which networks can reach each other: `groups` maps a network id to a
group name (Neutron ids are UUIDs, unique across regions). A network missing from the mapping,
or every network when there is no mapping, is in its project's default group: all the
project's networks together. Overlaps and duplicate fixed IPs matter only inside one group.

Only pairs from different regions are reported (external IPs aside): inside one region Neutron
already refuses the overlaps that break something (on one network, behind one router, in one
address scope), and the rest, isolated networks reusing 10.0.0.0/24, is normal and intended.

Every function returns conflicts sorted, so equal inputs give equal outputs in any order."""
from collections.abc import Iterable, Iterator, Mapping, Sequence
from ipaddress import ip_address
from itertools import combinations, product

from albatross.addresses.ip import Block, pack_ip, parse_cidr
from albatross.addresses.model import (EXTERNAL_IP, FIXED_IP, MAC, SUBNET_OVERLAP, Conflict,
                                       FloatingIP, Port, RouterGateway, Subnet)

Groups = Mapping[str, str] | None


def group_of(network_id: str, project_id: str, groups: Groups = None) -> str:
    """The network's connectivity group: from the mapping, else its project's default."""
    group = groups.get(network_id) if groups else None
    return group if group is not None else "project:" + project_id


def subnet_overlaps(subnets: Iterable[Subnet], groups: Groups = None) -> list[Conflict]:
    """Pairs of subnets of different regions in one connectivity group whose CIDRs overlap:
    the same CIDR twice, or one inside the other. Sort and sweep, O(n log n + k) per group and
    IP version; `key` is the shared range (the smaller CIDR)."""
    spaces: dict[tuple[str, int], list[tuple[Block, Subnet]]] = {}
    for subnet in subnets:
        block = parse_cidr(subnet.cidr)
        group = group_of(subnet.network_id, subnet.project_id, groups)
        spaces.setdefault((group, block.version), []).append((block, subnet))
    found = []
    for (group, _), items in spaces.items():
        items.sort(key=lambda item: (item[0].first, -item[0].last, item[1].region,
                                     item[1].network_id, item[1].subnet_id))
        for outer, inner, block in _sweep(items):
            a, b = sorted((outer.side(), inner.side()), key=_side_order)
            found.append(((group, block.version, block.first, block.prefixlen,
                           _side_order(a), _side_order(b)),
                          Conflict(SUBNET_OVERLAP, str(block), a, b, group)))
    return _sorted(found)


def _sweep(items: list[tuple[Block, Subnet]]) -> Iterator[tuple[Subnet, Subnet, Block]]:
    """(earlier, later, later's block) for every overlapping pair of different regions, from
    items sorted by first address, bigger blocks first. Two CIDRs are either disjoint or one
    contains the other, so the blocks still open when one starts all contain it: they form a
    stack, each strictly inside the one below (at most 33 deep for IPv4, 129 for IPv6).
    Each stack entry keeps its subnets by region, so a CIDR repeated many times in one region
    (isolated networks do that) is skipped as one list, not subnet by subnet."""
    stack: list[tuple[int, int, dict[str, list[Subnet]]]] = []  # first, last, region -> subnets
    for block, subnet in items:
        while stack and stack[-1][1] < block.first:
            stack.pop()
        if not stack or stack[-1][0] != block.first or stack[-1][1] != block.last:
            stack.append((block.first, block.last, {}))
        for _, _, by_region in stack:
            for region, others in by_region.items():
                if region != subnet.region:
                    for other in others:
                        yield other, subnet, block
        stack[-1][2].setdefault(subnet.region, []).append(subnet)


def fixed_ip_conflicts(ports: Iterable[Port], groups: Groups = None,
                       subnet_names: Mapping[tuple[str, str], str] | None = None
                       ) -> list[Conflict]:
    """Ports of different regions in one connectivity group holding the same fixed IP.
    `subnet_names`: (region, subnet id) -> name, to name the subnet of each side."""
    seen: dict[str, dict[bytes, Port]] = {}   # group -> packed IP -> first port seen with it
    more: dict[tuple[str, bytes], list[Port]] = {}
    for port in ports:
        group = group_of(port.network_id, port.project_id, groups)
        in_group = seen.setdefault(group, {})
        for _, ip in port.fixed_ips:
            packed = pack_ip(ip)
            first = in_group.setdefault(packed, port)
            if first is not port:
                more.setdefault((group, packed), [first]).append(port)
    found = []
    for (group, packed), same in more.items():
        for pa, pb in _cross_region(same):
            a, b = (_port_side(p, packed, subnet_names) for p in (pa, pb))
            found.append(((group, len(packed), packed, _side_order(a), _side_order(b)),
                          Conflict(FIXED_IP, str(ip_address(packed)), a, b, group)))
    return _sorted(found)


def mac_duplicates(ports: Iterable[Port], groups: Groups = None) -> list[Conflict]:
    """Ports of different regions with the same MAC, those in the same connectivity group
    first. Expected between regions (Neutron's default base_mac leaves 24 random bits: about
    900 such MACs among 200,000 ports over 4 regions); harmful only where the two ports can
    share an L2 domain, which is what a common group suggests."""
    seen: dict[str, Port] = {}
    more: dict[str, list[Port]] = {}
    for port in ports:
        mac = port.mac.lower()
        first = seen.setdefault(mac, port)
        if first is not port:
            more.setdefault(mac, [first]).append(port)
    found = []
    for mac, same in more.items():
        for pa, pb in _cross_region(same):
            ga = group_of(pa.network_id, pa.project_id, groups)
            gb = group_of(pb.network_id, pb.project_id, groups)
            group = ga if ga == gb else None
            a, b = pa.side(), pb.side()
            found.append(((group is None, mac, group or "", _side_order(a), _side_order(b)),
                          Conflict(MAC, mac, a, b, group)))
    return _sorted(found)


def external_ip_duplicates(floating_ips: Iterable[FloatingIP],
                           gateways: Iterable[RouterGateway] = ()) -> list[Conflict]:
    """A floating IP or router gateway IP held by two objects, in any regions (the same one
    included: two external networks of one region may overlap). Public addresses are unique
    everywhere, so connectivity groups do not apply. An object listed twice is one object."""
    holders: dict[bytes, dict[tuple[str, str, str], dict]] = {}  # IP -> (kind, region, id) -> side
    for fip in floating_ips:
        holders.setdefault(pack_ip(fip.floating_ip), {})[
            ("fip", fip.region, fip.fip_id)] = fip.side()
    for gateway in gateways:
        for ip in gateway.ips:
            holders.setdefault(pack_ip(ip), {})[
                ("gateway", gateway.region, gateway.router_id)] = gateway.side()
    found = []
    for packed, by_holder in holders.items():
        for a, b in combinations(sorted(by_holder.values(), key=_side_order), 2):
            found.append(((len(packed), packed, _side_order(a), _side_order(b)),
                          Conflict(EXTERNAL_IP, str(ip_address(packed)), a, b)))
    return _sorted(found)


def find_conflicts(subnets: Iterable[Subnet] = (), ports: Sequence[Port] = (),
                   floating_ips: Iterable[FloatingIP] = (),
                   gateways: Iterable[RouterGateway] = (),
                   groups: Groups = None) -> list[Conflict]:
    """Every kind of conflict, in this order: overlapping subnets, duplicate fixed IPs,
    duplicate external IPs, duplicate MACs."""
    subnets = list(subnets)
    names = {(s.region, s.subnet_id): s.name for s in subnets}
    return (subnet_overlaps(subnets, groups) + fixed_ip_conflicts(ports, groups, names)
            + external_ip_duplicates(floating_ips, gateways) + mac_duplicates(ports, groups))


def _cross_region(ports: list[Port]) -> Iterator[tuple[Port, Port]]:
    """Every pair of ports from different regions, the port of the lower region first; pairs
    inside one region cost nothing."""
    by_region: dict[str, list[Port]] = {}
    for port in ports:
        by_region.setdefault(port.region, []).append(port)
    for ra, rb in combinations(sorted(by_region), 2):
        yield from product(by_region[ra], by_region[rb])


def _port_side(port: Port, packed: bytes, subnet_names) -> dict:
    subnet_id = next(subnet_id for subnet_id, ip in port.fixed_ips if pack_ip(ip) == packed)
    return port.side(subnet_id, (subnet_names or {}).get((port.region, subnet_id), ""))


def _side_order(side: dict) -> tuple[str, ...]:
    return tuple("" if value is None else str(value) for value in side.values())


def _sorted(found: list[tuple[tuple, Conflict]]) -> list[Conflict]:
    found.sort(key=lambda item: item[0])
    return [conflict for _, conflict in found]
