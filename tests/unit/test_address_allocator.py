"""Next free CIDR: against a brute force that tries every aligned candidate of small plans
(IPv4 and IPv6 alike): the lowest free block, never overlapping a used CIDR, never outside the
plan, PlanFull exactly when nothing fits; a big IPv6 plan answered without enumeration; the
ValueErrors; per-subnet usage."""
import ipaddress

import pytest
from hypothesis import given
from hypothesis import strategies as st

from albatross.addresses.allocator import PlanFull, SubnetUsage, next_free_cidr, subnet_usage
from albatross.addresses.model import Port, Subnet

SPACES = {4: (ipaddress.IPv4Network("10.0.0.0/22"), ipaddress.IPv4Network("192.168.0.0/24")),
          6: (ipaddress.IPv6Network("2001:db8::/118"), ipaddress.IPv6Network("fd00::/120"))}


def block_in(draw, space, low: int, high: int):
    prefixlen = draw(st.integers(low, high))
    offset = draw(st.integers(0, space.num_addresses - 1))
    return ipaddress.ip_network((int(space.network_address) + offset, prefixlen), strict=False)


@st.composite
def requests(draw):
    """(version, plan, prefix length, used): supernets and used CIDRs in a small space, some
    used CIDRs outside the plan or of the other version; prefixes sometimes too short."""
    version = draw(st.sampled_from((4, 6)))
    space, outside = SPACES[version]
    low = space.prefixlen
    plan = [block_in(draw, space, low, low + 4) for _ in range(draw(st.integers(1, 3)))]
    used = [block_in(draw, space, low, space.max_prefixlen)
            for _ in range(draw(st.integers(0, 12)))]
    used += [block_in(draw, outside, outside.prefixlen, outside.max_prefixlen)
             for _ in range(draw(st.integers(0, 2)))]
    other_space = SPACES[10 - version][0]
    used += [block_in(draw, other_space, other_space.prefixlen, other_space.max_prefixlen)
             for _ in range(draw(st.integers(0, 2)))]
    prefixlen = draw(st.integers(low, low + 8))
    return version, [str(n) for n in plan], prefixlen, [str(n) for n in used]


def brute_force(plan: list[str], prefixlen: int, used: list[str]):
    """Every aligned /prefixlen of every supernet wide enough, lowest first: the first one
    clear of the used CIDRs, or "full", or "invalid" when no supernet is wide enough."""
    supernets = [ipaddress.ip_network(p) for p in plan if ipaddress.ip_network(p).prefixlen
                 <= prefixlen]
    if not supernets:
        return "invalid"
    taken = [ipaddress.ip_network(u) for u in used]
    candidates = sorted({c for s in supernets for c in s.subnets(new_prefix=prefixlen)})
    for candidate in candidates:
        if not any(candidate.version == t.version and candidate.overlaps(t) for t in taken):
            return candidate
    return "full"


@given(requests())
def test_next_free_cidr_is_the_lowest_free_block_of_the_plan(request):
    version, plan, prefixlen, used = request
    expected = brute_force(plan, prefixlen, used)
    if expected == "invalid":
        with pytest.raises(ValueError, match="larger than every"):
            next_free_cidr(plan, prefixlen, used)
    elif expected == "full":
        with pytest.raises(PlanFull) as raised:
            next_free_cidr(plan, prefixlen, used)
        assert (raised.value.plan, raised.value.prefixlen) == (plan, prefixlen)
    else:
        got = ipaddress.ip_network(next_free_cidr(plan, prefixlen, used))
        assert got == expected
        assert got.prefixlen == prefixlen and got.version == version
        assert any(got.subnet_of(ipaddress.ip_network(p)) for p in plan)
        assert not any(got.overlaps(ipaddress.ip_network(u)) for u in used
                       if ipaddress.ip_network(u).version == version)


@given(st.sampled_from((4, 6)), st.sets(st.integers(0, 3), min_size=1), st.integers(0, 3))
def test_allocating_until_full_fills_the_plan_exactly(version, quarters, extra_bits):
    """Plan: some quarters of the space; allocating again and again yields disjoint blocks
    covering every quarter, then PlanFull."""
    space = SPACES[version][0]
    plan = [str(q) for i, q in enumerate(space.subnets(prefixlen_diff=2)) if i in quarters]
    prefixlen = space.prefixlen + 2 + extra_bits
    used: list[str] = []
    with pytest.raises(PlanFull, match=f"no free /{prefixlen} left in the plan"):
        while True:
            used.append(next_free_cidr(plan, prefixlen, used))
    assert len(used) == len(quarters) * 2 ** extra_bits
    assert used == sorted(used, key=lambda c: ipaddress.ip_network(c))   # lowest first
    blocks = [ipaddress.ip_network(u) for u in used]
    assert sum(b.num_addresses for b in blocks) == sum(
        ipaddress.ip_network(p).num_addresses for p in plan)


def test_a_big_ipv6_plan_jumps_over_used_ranges():
    # 2**31 /64s are used before the first free one: trying them one by one would not end
    used = ["2001:db8::/33", "2001:db8:8000::/34", "2001:db8:c000::/64", "2001:db8:c000:2::/63"]
    assert next_free_cidr(["2001:db8::/32"], 64, used) == "2001:db8:c000:1::/64"
    assert next_free_cidr(["2001:db8::/32"], 48, used) == "2001:db8:c001::/48"
    assert next_free_cidr(["2001:db8::/32", "2001:db9::/32"], 33,
                          used + ["2001:db8:8000::/33"]) == "2001:db9::/33"


def test_used_cidrs_are_read_whatever_their_spelling_and_host_bits():
    assert next_free_cidr(["10.0.0.0/24"], 26,
                          ["10.0.0.9/26", "10.0.0.64/26"]) == "10.0.0.128/26"
    assert next_free_cidr(["2001:DB8::/64"], 65,
                          ["2001:db8:0:0::1/65"]) == "2001:db8:0:0:8000::/65"


def test_a_used_cidr_covering_the_plan_fills_it():
    with pytest.raises(PlanFull) as raised:
        next_free_cidr(["10.1.0.0/16", "10.2.0.0/16"], 24, ["10.0.0.0/8"])
    assert str(raised.value) == "no free /24 left in the plan 10.1.0.0/16, 10.2.0.0/16"


def test_requests_that_can_never_succeed_are_value_errors():
    cases = {(("10.0.0.0/16",), 8, None): "larger than every IPv4 supernet",
             (("10.0.0.0/16",), 64, None): "not an IPv4 prefix length",
             (("2001:db8::/32",), 129, None): "not an IPv6 prefix length",
             (("10.0.0.0/16", "2001:db8::/32"), 24, None): "mixes IPv4 and IPv6",
             (("10.0.0.0/16",), 64, 6): "no IPv6 supernet",
             ((), 24, None): "the plan is empty"}
    for (plan, prefixlen, version), message in cases.items():
        with pytest.raises(ValueError, match=message):
            next_free_cidr(list(plan), prefixlen, [], version)


def test_a_mixed_plan_allocates_in_the_version_asked_for():
    plan = ["10.0.0.0/16", "2001:db8::/32"]
    assert next_free_cidr(plan, 64, ["2001:db8::/64"], version=6) == "2001:db8:0:1::/64"
    assert next_free_cidr(plan, 24, ["2001:db8::/64"], version=4) == "10.0.0.0/24"


def test_subnet_usage_counts_fixed_ips_against_the_pools():
    subnets = [Subnet("R1", "p1", "n1", "s4", "10.0.0.0/24", 4, "10.0.0.1",
                      (("10.0.0.2", "10.0.0.100"), ("10.0.0.200", "10.0.0.254"))),
               Subnet("R1", "p1", "n1", "s6", "2001:db8::/64", 6, "2001:db8::1",
                      (("2001:db8::2", "2001:db8::ffff:ffff:ffff:ffff"),)),
               Subnet("R2", "p1", "n2", "s4", "10.0.0.0/24", 4, None, ())]
    ports = [Port("R1", "p1", "n1", "router", "m1", (("s4", "10.0.0.1"), ("s6", "2001:db8::1"))),
             Port("R1", "p1", "n1", "vm1", "m2", (("s4", "10.0.0.5"), ("s6", "2001:DB8::5"))),
             Port("R1", "p1", "n1", "vm2", "m3", (("s4", "10.0.0.200"),)),   # pool edges
             Port("R1", "p1", "n1", "vm4", "m5", (("s4", "10.0.0.100"),)),
             Port("R2", "p1", "n2", "vm3", "m4", (("s4", "10.0.0.5"),))]  # another region's s4
    assert subnet_usage(reversed(subnets), ports) == [
        SubnetUsage("R1", "s4", "10.0.0.0/24", 256, 154, 4, 3, 151),
        SubnetUsage("R1", "s6", "2001:db8::/64", 2**64, 2**64 - 2, 2, 1, 2**64 - 3),
        SubnetUsage("R2", "s4", "10.0.0.0/24", 256, 0, 1, 0, 0)]
