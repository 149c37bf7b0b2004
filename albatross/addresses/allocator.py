"""The next free CIDR in an address plan, and how full each subnet is.

Pure: the caller must make "find, then create" atomic (one lock per plan, or a database
constraint that refuses overlapping CIDRs), as two callers given the same used list get the
same answer."""
from bisect import bisect_left
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from albatross.addresses.ip import BITS, Block, ip_value, parse_cidr
from albatross.addresses.model import Port, Subnet


class PlanFull(Exception):
    """No block of the asked prefix length is free anywhere in the plan."""

    def __init__(self, plan: Sequence[str], prefixlen: int):
        super().__init__(f"no free /{prefixlen} left in the plan {', '.join(plan)}")
        self.plan = list(plan)
        self.prefixlen = prefixlen


def next_free_cidr(plan: Sequence[str], prefixlen: int, used: Iterable[str],
                   version: int | None = None) -> str:
    """The lowest free /prefixlen inside one of the plan's supernets that overlaps none of
    `used` (CIDRs of any version and place; those outside the plan do not matter).

    `version` picks the supernets of a plan that mixes IPv4 and IPv6. Supernets smaller than
    the prefix are skipped; if every one is, or the prefix length does not exist in that IP
    version, the request can never succeed: ValueError. PlanFull when it could, but the used
    CIDRs leave no room. Cost: O(m log m) for m used CIDRs (times the supernets at worst),
    whatever the plan's size: the search jumps over used ranges instead of trying every
    candidate, so a /32 of IPv6 is as quick as a /24."""
    supernets = [parse_cidr(cidr) for cidr in plan]
    versions = {block.version for block in supernets}
    if not versions:
        raise ValueError("the plan is empty")
    if version is None:
        if len(versions) > 1:
            raise ValueError("the plan mixes IPv4 and IPv6: say which version to allocate")
        version = versions.pop()
    candidates = [block for block in supernets if block.version == version]
    if not candidates:
        raise ValueError(f"the plan has no IPv{version} supernet: {', '.join(plan)}")
    if not 0 <= prefixlen <= BITS[version]:
        raise ValueError(f"/{prefixlen} is not an IPv{version} prefix length "
                         f"(0 to {BITS[version]})")
    fitting = [block for block in candidates if block.prefixlen <= prefixlen]
    if not fitting:
        widest = min(block.prefixlen for block in candidates)
        raise ValueError(f"/{prefixlen} is larger than every IPv{version} supernet of the plan "
                         f"(the widest is a /{widest})")
    starts, ends = _merged(block for block in map(parse_cidr, used) if block.version == version)
    free = [first for first in (_lowest_free(block, prefixlen, starts, ends) for block in fitting)
            if first is not None]
    if not free:
        raise PlanFull(plan, prefixlen)
    first = min(free)
    return str(Block(version, first, first + (1 << (BITS[version] - prefixlen)) - 1, prefixlen))


def _merged(blocks: Iterable[Block]) -> tuple[list[int], list[int]]:
    """The union of the blocks as disjoint ranges, sorted: their starts and their ends."""
    starts: list[int] = []
    ends: list[int] = []
    for block in sorted(blocks):
        if ends and block.first <= ends[-1] + 1:
            ends[-1] = max(ends[-1], block.last)
        else:
            starts.append(block.first)
            ends.append(block.last)
    return starts, ends


def _lowest_free(supernet: Block, prefixlen: int, starts: list[int],
                 ends: list[int]) -> int | None:
    """First address of the lowest aligned /prefixlen in the supernet clear of every range."""
    size = 1 << (BITS[supernet.version] - prefixlen)
    candidate = supernet.first        # aligned: the supernet is at least as wide as a block
    i = bisect_left(ends, candidate)  # first range that ends at or after the candidate
    while i < len(starts) and candidate + size - 1 <= supernet.last:
        if starts[i] >= candidate + size:
            break                     # the next range starts after the candidate: it is free
        if ends[i] >= candidate:      # overlaps: go to the first boundary after the range
            candidate = -(-(ends[i] + 1) // size) * size
        i += 1
    return candidate if candidate + size - 1 <= supernet.last else None


@dataclass(frozen=True)
class SubnetUsage:
    region: str
    subnet_id: str
    cidr: str
    size: int            # addresses in the CIDR
    pool_size: int       # addresses in the allocation pools
    used: int            # distinct fixed IPs of ports on the subnet
    used_in_pools: int   # of those, the ones inside a pool
    free: int            # pool addresses still free: what Neutron can still hand out


def subnet_usage(subnets: Iterable[Subnet], ports: Iterable[Port]) -> list[SubnetUsage]:
    """Used and free addresses of every subnet, sorted by region and subnet id. Fixed IPs are
    matched by (region, subnet id); IPs outside the pools (the gateway, fixed addresses
    asked for explicitly) count as used but not against the pools. Neutron reports the pools it
    computed when none were given, so an empty list means nothing is allocated automatically."""
    ips: dict[tuple[str, str], set[int]] = {}
    for port in ports:
        for subnet_id, ip in port.fixed_ips:
            ips.setdefault((port.region, subnet_id), set()).add(ip_value(ip)[1])
    usage = []
    for subnet in subnets:
        pools = [(ip_value(start)[1], ip_value(end)[1]) for start, end in subnet.allocation_pools]
        used = ips.get((subnet.region, subnet.subnet_id), set())
        in_pools = sum(1 for ip in used if any(start <= ip <= end for start, end in pools))
        pool_size = sum(end - start + 1 for start, end in pools)
        usage.append(SubnetUsage(subnet.region, subnet.subnet_id, subnet.cidr,
                                 parse_cidr(subnet.cidr).size, pool_size, len(used), in_pools,
                                 pool_size - in_pools))
    return sorted(usage, key=lambda u: (u.region, u.subnet_id))
