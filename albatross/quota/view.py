"""The global view of one project's quotas, from per-region readings (pure)."""
from albatross.quota.limits import remaining
from albatross.quota.overshoot import enforcement
from albatross.quota.resources import RESOURCES
from albatross.quota.soft import SoftLimit


def global_view(hard: dict[str, int], soft: dict[str, SoftLimit],
                readings: dict[str, tuple[dict, dict] | None], governed: bool = True,
                over: dict[str, dict] | None = None) -> dict[str, dict]:
    """Per resource: the global limit, how it is enforced (`enforcement`), soft threshold,
    usage and native limit in each region (None where the region did not answer), total and
    remaining over the regions that did, and the overshoot on record (`over_limit`: since
    when, by how much, each region's usage and native limit) or None."""
    over = over or {}
    out = {}
    for name in RESOURCES:
        usage = {r: (rd[1].get(name) if rd else None) for r, rd in readings.items()}
        native = {r: (rd[0].get(name) if rd else None) for r, rd in readings.items()}
        total = sum(v for v in usage.values() if v is not None)
        threshold = soft[name].threshold(hard[name]) if name in soft else None
        out[name] = {"limit": hard[name], "enforcement": enforcement(hard[name], governed),
                     "soft_limit": threshold, "usage": usage,
                     "total_usage": total, "remaining": remaining(hard[name], total),
                     "regional_limits": native, "over_limit": over.get(name)}
    return out
