"""Cross-region address conflicts: our sort-and-sweep overlap detection against a naive
pairwise `ipaddress.overlaps` check over the same subnets, and our grouping of ports by fixed
IP and MAC against a plain `defaultdict` grouping that normalizes with `ipaddress`; time and
peak memory (tracemalloc, measured in separate runs so that it does not slow the timed ones),
ratios from the same run, of CPU time. Each baseline's findings are checked against ours.

    .venv/bin/python -m bench.address_conflicts [--subnets 10000] [--ports 200000]
        [--naive-sample N]   # pairwise check on N subnets only, extrapolated by pairs

Synthetic data, one project (so one connectivity group: every pair is a candidate), 4
regions: 60 % IPv4 /24s and 40 % IPv6 /64s, each region in its own range except 1 % drawn
from a shared pool (equal CIDRs across regions) and one /16 and one /48 over that pool in
RegionOne (nested overlaps). Ports get the next host address of a random subnet and a MAC of
Neutron's default form fa:16:3e + 24 random bits, so duplicates arise as they would."""
import argparse
import gc
import ipaddress
import random
import statistics
import time
import tracemalloc
from collections import defaultdict
from itertools import combinations

from albatross.addresses.conflicts import fixed_ip_conflicts, mac_duplicates, subnet_overlaps
from albatross.addresses.ip import parse_cidr
from albatross.addresses.model import Port, Subnet

REGIONS = ("RegionOne", "RegionTwo", "RegionThree", "RegionFour")


def make_subnets(n: int, rnd: random.Random) -> list[Subnet]:
    cidrs = []
    for i in range(n):
        region = i % len(REGIONS)
        shared, k = rnd.random() < 0.01, i // len(REGIONS)
        if rnd.random() < 0.6:
            cidrs.append(f"172.16.{rnd.randrange(50)}.0/24" if shared
                         else f"10.{region * 64 + k // 256}.{k % 256}.0/24")
        else:
            cidrs.append(f"fd00:0:0:{rnd.randrange(50):x}::/64" if shared
                         else f"2001:db8:{region:x}:{k:x}::/64")
    cidrs[:2] = ["172.16.0.0/16", "fd00::/48"]   # nested over the shared pool, RegionOne
    return [Subnet(REGIONS[i % len(REGIONS)], "project", f"net-{i}", f"subnet-{i}", cidr,
                   6 if ":" in cidr else 4) for i, cidr in enumerate(cidrs)]


def make_ports(n: int, subnets: list[Subnet], rnd: random.Random) -> list[Port]:
    hosts: dict[str, int] = defaultdict(lambda: 2)
    ports = []
    for i in range(n):
        subnet = rnd.choice(subnets[2:])
        block = ipaddress.ip_network(subnet.cidr)
        ip = block.network_address + 2 + hosts[subnet.subnet_id] % 250
        hosts[subnet.subnet_id] += 1
        mac = "fa:16:3e:" + ":".join(f"{b:02x}" for b in rnd.randbytes(3))
        ports.append(Port(subnet.region, "project", subnet.network_id, f"port-{i}", mac,
                          ((subnet.subnet_id, str(ip)),), "compute:nova", f"vm-{i}"))
    return ports


def naive_overlaps(subnets: list[Subnet]) -> set[frozenset[str]]:
    """Every pair, `ipaddress.overlaps`, parsing included."""
    nets = [(s.region, s.subnet_id, ipaddress.ip_network(s.cidr)) for s in subnets]
    return {frozenset((ia, ib)) for (ra, ia, na), (rb, ib, nb) in combinations(nets, 2)
            if ra != rb and na.overlaps(nb)}


def plain_grouping(ports: list[Port]) -> tuple[set, set]:
    """IPs and MACs held in more than one region, the obvious way."""
    by_ip, by_mac = defaultdict(set), defaultdict(set)
    for port in ports:
        for _, ip in port.fixed_ips:
            by_ip[ipaddress.ip_address(ip)].add(port.region)
        by_mac[port.mac.lower()].add(port.region)
    return ({str(ip) for ip, regions in by_ip.items() if len(regions) > 1},
            {mac for mac, regions in by_mac.items() if len(regions) > 1})


def our_grouping(ports: list[Port]):
    return fixed_ip_conflicts(ports), mac_duplicates(ports)


def timed(fn, *args, rounds: int = 1):
    """(result, median wall seconds, median CPU seconds of this process, min wall seconds).
    The ratios use CPU time: on a shared machine it leaves out the time spent waiting for a
    core."""
    walls, cpus = [], []
    for _ in range(rounds):
        w0, c0 = time.perf_counter(), time.process_time()
        result = fn(*args)
        walls.append(time.perf_counter() - w0)
        cpus.append(time.process_time() - c0)
    return result, statistics.median(walls), statistics.median(cpus), min(walls)


def ms(wall: float, cpu: float, fastest: float) -> str:
    return f"{wall * 1e3:7.1f} ms (CPU {cpu * 1e3:7.1f}, min {fastest * 1e3:7.1f})"


def peak_memory(fn, *args) -> int:
    """Peak bytes allocated while fn runs (its inputs excluded)."""
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        base = tracemalloc.get_traced_memory()[0]
        fn(*args)
        return tracemalloc.get_traced_memory()[1] - base
    finally:
        tracemalloc.stop()


def mib(n: int) -> str:
    return f"{n / 2**20:.1f} MiB"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--subnets", type=int, default=10_000)
    ap.add_argument("--ports", type=int, default=200_000)
    ap.add_argument("--naive-sample", type=int, default=0,
                    help="run the pairwise check on this many subnets and extrapolate")
    ap.add_argument("--rounds", type=int, default=5)
    args = ap.parse_args()
    rnd = random.Random(2026)
    subnets = make_subnets(args.subnets, rnd)
    ports = make_ports(args.ports, subnets, rnd)
    # The inputs (about a million tracked objects) leave the collector's view: otherwise a
    # full collection, 0.3-0.5 s here, lands in whichever timed round crosses its threshold.
    # That pause belongs to the heap that holds 200,000 ports, not to either method.
    gc.freeze()

    print(f"{len(subnets)} subnets ({sum(s.ip_version == 4 for s in subnets)} IPv4), "
          f"{len(ports)} ports, {len(REGIONS)} regions; median of {args.rounds} rounds")
    _, *ours_parse = timed(lambda: [parse_cidr(s.cidr) for s in subnets], rounds=args.rounds)
    _, *ipaddress_parse = timed(lambda: [ipaddress.ip_network(s.cidr) for s in subnets],
                                rounds=args.rounds)
    print(f"parse:    ours {ms(*ours_parse)}   ipaddress {ms(*ipaddress_parse)}   "
          f"ratio {ipaddress_parse[1] / ours_parse[1]:5.1f}")

    found, *ours = timed(subnet_overlaps, subnets, rounds=args.rounds)
    ours_mem = peak_memory(subnet_overlaps, subnets)
    sample = subnets[:args.naive_sample] if args.naive_sample else subnets
    scale = (len(subnets) * (len(subnets) - 1)) / (len(sample) * (len(sample) - 1))
    naive_found, *naive = timed(naive_overlaps, sample)
    naive_mem = peak_memory(naive_overlaps, sample)
    sample_ids = {s.subnet_id for s in sample}
    ours_pairs = {frozenset((c.side_a["subnet_id"], c.side_b["subnet_id"])) for c in found}
    assert naive_found == {p for p in ours_pairs if p <= sample_ids}, "results differ"
    note = (f" (measured on {len(sample)} subnets: {naive[0]:.2f} s, x{scale:.1f} pairs)"
            if args.naive_sample else "")
    print(f"overlaps: {len(found)} pairs; ours {ms(*ours)}, parsing included, "
          f"peak {mib(ours_mem)}")
    print(f"          naive pairwise {naive[0] * scale:6.1f} s (CPU {naive[1] * scale:6.1f} s)"
          f"{note}, peak {mib(naive_mem)}")
    print(f"          ratio naive / ours: time {naive[1] * scale / ours[1]:6.0f}   "
          f"memory {naive_mem / ours_mem:5.2f}")

    (ip_conflicts, mac_conflicts), *grouping = timed(our_grouping, ports, rounds=args.rounds)
    grouping_mem = peak_memory(our_grouping, ports)
    (plain_ips, plain_macs), *plain = timed(plain_grouping, ports, rounds=args.rounds)
    plain_mem = peak_memory(plain_grouping, ports)
    assert {c.key for c in ip_conflicts} == plain_ips, "IP results differ"
    assert {c.key for c in mac_conflicts} == plain_macs, "MAC results differ"
    print(f"ports:    {len(plain_ips)} IPs in several regions ({len(ip_conflicts)} pairs), "
          f"{len(plain_macs)} MACs ({len(mac_conflicts)} pairs)")
    print(f"          ours {ms(*grouping)}, peak {mib(grouping_mem)}")
    print(f"          plain ipaddress grouping {ms(*plain)}, peak {mib(plain_mem)}")
    print(f"          ratio plain / ours: time {plain[1] / grouping[1]:5.2f}   "
          f"memory {plain_mem / grouping_mem:5.2f}")


if __name__ == "__main__":
    main()
