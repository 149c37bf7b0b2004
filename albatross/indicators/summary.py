"""The global summary from each series' last value and each region's last status: capacity
and live utilization per region and overall, and which regions are down and why."""
import datetime
from typing import NamedTuple

from albatross.indicators.catalog import COUNTED_KINDS, PLACEMENT_CLASSES
from albatross.indicators.timespec import iso


class Last(NamedTuple):
    """A series' last value and the round it came from."""
    name: str
    region: str
    key: str
    value: float
    at: datetime.datetime


class Status(NamedTuple):
    region: str
    up: bool
    reason: str | None
    checked_at: datetime.datetime
    since: datetime.datetime


def _ratio(used: float, capacity: float) -> float | None:
    return used / capacity if capacity > 0 else None


def _capacity(cap: float, used: float) -> dict:
    return {"capacity": cap, "used": used, "utilization": _ratio(used, cap)}


def summarize(last: list[Last], statuses: list[Status]) -> dict:
    """Each region shows its last known capacity with the round it is from (`as_of`); the
    overall totals add only regions whose capacity was read in their last round, so a region
    that stopped answering does not count with old numbers: `counted_regions` names those
    that do."""
    values = {(v.name, v.region, v.key): v for v in last}
    overall = {rc: [0.0, 0.0] for rc in PLACEMENT_CLASSES}
    counts_total = {kind: 0 for kind in COUNTED_KINDS}
    regions, counted = [], []
    for st in sorted(statuses, key=lambda s: s.region):
        entry = {"region": st.region, "status": "up" if st.up else "down", "reason": st.reason,
                 "checked_at": iso(st.checked_at), "since": iso(st.since), "capacity": {},
                 "capacity_as_of": None, "counts": {}}
        caps = [(rc, values.get(("capacity", st.region, rc)), values.get(("used", st.region, rc)))
                for rc in PLACEMENT_CLASSES]
        caps = [(rc, c, u) for rc, c, u in caps if c is not None and u is not None]
        if caps:
            entry["capacity"] = {rc: _capacity(c.value, u.value) for rc, c, u in caps}
            entry["capacity_as_of"] = iso(min(c.at for _rc, c, _u in caps))
            if all(c.at == st.checked_at and u.at == st.checked_at for _rc, c, u in caps):
                counted.append(st.region)
                for rc, c, u in caps:
                    overall[rc][0] += c.value
                    overall[rc][1] += u.value
        for kind in COUNTED_KINDS:
            v = values.get(("resource_count", st.region, kind))
            if v is not None:
                entry["counts"][kind] = int(v.value)
                if v.at == st.checked_at:
                    counts_total[kind] += int(v.value)
        regions.append(entry)
    up = sum(1 for s in statuses if s.up)
    return {
        "collected_at": iso(max((s.checked_at for s in statuses), default=None)),
        "overall": {"regions_up": up, "regions_down": len(statuses) - up,
                    "capacity": {rc: _capacity(c, u) for rc, (c, u) in overall.items()},
                    "counts": counts_total, "counted_regions": counted},
        "regions": regions,
    }
