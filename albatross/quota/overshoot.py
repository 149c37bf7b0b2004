"""Usage over the global limit, and when a region's notification is worth a rebalance (pure).

Each region's own service enforces its native limit, and some let concurrent creates pass it
(docs/quota.md measures which): the sum of native limits stays under G, yet usage can exceed
it. Detecting that is a comparison of live usage with G; reacting early is a comparison of a
region's usage with its share."""
import math
from dataclasses import dataclass, field

from albatross.quota import plan as quota_plan
from albatross.quota.resources import PER_OBJECT, RESOURCES, UNLIMITED

ENFORCED, SHOWN_ONLY, UNLIMITED_MARK = "enforced", "shown_only", "unlimited"


@dataclass(frozen=True)
class Overshoot:
    """One resource of one project over its global limit: the total, and per region its
    usage and native limit (regions over their own limit are where the service let it pass)."""
    resource: str
    global_limit: int
    total_usage: int
    regions: dict = field(default_factory=dict)   # {region: {"usage": n, "limit": n|None}}

    @property
    def over_by(self) -> int:
        return self.total_usage - self.global_limit

    def culprits(self) -> list[str]:
        """Regions whose usage is above their own native limit."""
        return sorted(r for r, v in self.regions.items()
                      if v.get("limit") not in (None, UNLIMITED) and v["usage"] > v["limit"])


def overshoots(hard: dict[str, int], usage: dict[str, dict[str, int]],
               limits: dict[str, dict[str, int | None]]) -> dict[str, Overshoot]:
    """{resource: Overshoot} for every resource whose usage is over its global limit.
    `usage` and `limits` are {region: {resource: n}}. A per-object cap (key pairs per user,
    metadata items) is over when one region's count passes it; a counted resource when the
    sum over the regions does."""
    out = {}
    for name in RESOURCES:
        limit = hard.get(name, UNLIMITED)
        if limit == UNLIMITED:
            continue
        per_region = {r: {"usage": u.get(name, 0), "limit": limits.get(r, {}).get(name)}
                      for r, u in usage.items()}
        values = [v["usage"] for v in per_region.values()]
        total = max(values, default=0) if name in PER_OBJECT else sum(values)
        if total > limit:
            out[name] = Overshoot(name, limit, total, per_region)
    return out


def enforcement(limit: int, governed: bool) -> str:
    """How the view marks a global limit: rebalanced by Albatross (enforced), a default it
    shows but does not apply to this project (shown_only), or none (unlimited)."""
    if limit == UNLIMITED:
        return UNLIMITED_MARK
    return ENFORCED if governed else SHOWN_ONLY


def near_share(usage: int, limit: int | None, near_percent: float) -> bool:
    """Whether a region's usage has reached `near_percent` of its native limit (at least one
    unit of headroom counts as near when the limit is small)."""
    if limit is None or limit == UNLIMITED:
        return False
    room = limit - usage
    return room <= max(1, math.floor(limit * (100 - near_percent) / 100))


def worth_rebalancing(hard: dict[str, int], usage: dict[str, dict[str, int]],
                      limits: dict[str, dict[str, int | None]], near_percent: float,
                      recorded: dict[str, int] | None = None,
                      policy: str = quota_plan.STRICT) -> list[str]:
    """The resources a rebalance would help now: over the global limit and not yet recorded
    at this total or not yet clamped (a region still has room), or with a region near its
    share while the plan would give it more. `recorded` is {resource: total usage} of the
    overshoots already on record. Readings of other regions may be a little old (a
    notification refreshes only its own region); the rebalance reads every region live."""
    recorded = recorded or {}
    over = overshoots(hard, usage, limits)
    out = set()
    for name in set(over) | set(recorded):
        if name not in over:  # back under G: a rebalance clears the record
            out.add(name)
            continue
        room = any(quota_plan.as_number(v["limit"]) > v["usage"]
                   for v in over[name].regions.values())
        if room or recorded.get(name) != over[name].total_usage:
            out.add(name)
    for name in RESOURCES:
        limit = hard.get(name, UNLIMITED)
        if name in over or name in recorded or name in PER_OBJECT or limit == UNLIMITED:
            continue
        near = [r for r in usage
                if near_share(usage[r].get(name, 0), limits.get(r, {}).get(name), near_percent)]
        if not near:
            continue
        regions = [quota_plan.RegionQuota(r, usage[r].get(name, 0), limits.get(r, {}).get(name))
                   for r in usage]
        wanted = quota_plan.targets(limit, regions, policy)
        if any(quota_plan.as_number(wanted[r]) > quota_plan.as_number(
                limits.get(r, {}).get(name)) for r in near):
            out.add(name)
    return sorted(out)
