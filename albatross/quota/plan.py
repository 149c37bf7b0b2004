"""Rebalancing one resource of one project across regions.

Two policies, chosen per deployment:
- strict (demarcation / escrow): the sum of the regions' native limits never exceeds the global
  limit G. Headroom H = G - usage - allowances frozen in unreachable regions is split among the
  reachable regions (half evenly, half by usage, so an idle region can still grow and a busy one
  gets more); writes go in two phases: lower first, read back, then raise only within what the
  read-back limits leave free.
- optimistic (Kingbird's idea, without its holes): every region may use all of H; the regions
  together may overshoot by up to (N-1)*H until the next rebalance.
-1 (unlimited) is a value of its own everywhere: it is never added, subtracted or dropped."""
from collections.abc import Mapping
from dataclasses import dataclass

from albatross.quota.resources import UNLIMITED

STRICT, OPTIMISTIC = "strict", "optimistic"
INF = float("inf")


@dataclass(frozen=True)
class RegionQuota:
    region: str
    usage: int              # live when reachable, else the last known value
    limit: int | None       # the native limit now (-1 unlimited); None if never known
    reachable: bool = True


def as_number(limit: int | None) -> float:
    """A native limit as a number: unlimited and unknown count as infinite allowance."""
    return INF if limit is None or limit == UNLIMITED else limit


def limit_sum(limits) -> float:
    return sum(as_number(v) for v in limits)


def apportion(total: int, weights: list[float]) -> list[int]:
    """Split a non-negative integer by weights, exactly (largest remainder); equal split when
    every weight is zero."""
    if not weights:
        return []
    if total <= 0:
        return [0] * len(weights)
    if sum(weights) <= 0:
        weights = [1.0] * len(weights)
    weight_sum = sum(weights)
    raw = [total * (w / weight_sum) for w in weights]
    shares = [int(r) for r in raw]
    left = total - sum(shares)
    for i in sorted(range(len(raw)), key=lambda i: (raw[i] - shares[i], -i), reverse=True):
        if left == 0:
            break
        shares[i] += 1
        left -= 1
    return shares


def headroom(global_limit: int, regions: list[RegionQuota], policy: str) -> float:
    """What the reachable regions may still grow by, together (strict) or each (optimistic)."""
    reachable = [r for r in regions if r.reachable]
    used = sum(r.usage for r in reachable)
    if policy == STRICT:
        frozen = limit_sum(r.limit for r in regions if not r.reachable)
        return global_limit - used - frozen
    return global_limit - used - sum(r.usage for r in regions if not r.reachable)


def targets(global_limit: int, regions: list[RegionQuota], policy: str = STRICT,
            per_object: bool = False) -> dict[str, int]:
    """The native limit each reachable region should get."""
    reachable = [r for r in regions if r.reachable]
    if global_limit == UNLIMITED:
        return {r.region: UNLIMITED for r in reachable}
    if per_object:  # a cap on one object (e.g. metadata items): same value everywhere
        return {r.region: global_limit for r in reachable}
    room = headroom(global_limit, regions, policy)
    if room == 0:
        return {r.region: r.usage for r in reachable}  # exactly at G: nobody may grow
    if room < 0:
        # over G: nobody may grow, and nobody is raised either: a region over its own limit
        # keeps it (its usage may count what does not run, as Nova counts the instances its
        # recheck put in ERROR, and a raise would let real ones take their place)
        return {r.region: int(min(r.usage, as_number(r.limit))) for r in reachable}
    if policy == OPTIMISTIC:
        return {r.region: r.usage + int(room) for r in reachable}
    mean = sum(r.usage for r in reachable) / len(reachable) if reachable else 0
    shares = apportion(int(room), [mean + r.usage for r in reachable])
    return {r.region: r.usage + s for r, s in zip(reachable, shares)}


def split_writes(current: Mapping[str, int | None], wanted: Mapping[str, int]):
    """(decreases, increases): the first are safe at any time, the second only after them."""
    down, up = {}, {}
    for region, new in wanted.items():
        old = as_number(current.get(region))
        if as_number(new) < old:
            down[region] = new
        elif as_number(new) > old:
            up[region] = new
    return down, up


def grant_increases(global_limit: int, actual: Mapping[str, int | None],
                    increases: Mapping[str, int], policy: str = STRICT) -> dict[str, int]:
    """The raises that can be written now. Strict: only within G minus the sum of the limits
    as read back after the decreases (an unreachable region keeps its allowance), largest
    need first, the last one possibly partly. Optimistic: all of them."""
    if policy == OPTIMISTIC or global_limit == UNLIMITED:
        return dict(increases)
    budget = global_limit - limit_sum(actual.values())
    granted = {}
    for region in sorted(increases, key=lambda r: (as_number(actual.get(r)) - increases[r], r)):
        old = as_number(actual.get(region))
        if budget <= 0 or old == INF:
            continue
        step = min(increases[region] - old, budget)
        granted[region] = int(old + step)
        budget -= step
    return granted
