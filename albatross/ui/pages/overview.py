"""Overview: every region with the health of its endpoints, capacity and utilization over
time (admins) or the project's usage (members), and the open problems with links."""
import datetime

from albatross.ui import charts
from albatross.ui.app import PREFIX, get
from albatross.ui.backend import ApiError
from albatross.timestamps import iso

WINDOW = datetime.timedelta(hours=6)
RESOURCES = (("VCPU", "VCPU"), ("MEMORY_MB", "RAM (MiB)"), ("DISK_GB", "Disk (GiB)"))


def _hm(dt: datetime.datetime) -> str:
    return dt.strftime("%H:%M UTC")


def _epoch(dt: datetime.datetime) -> float:
    """A naive UTC time as a Unix time (a naive datetime's .timestamp() is local time)."""
    return dt.replace(tzinfo=datetime.UTC).timestamp()


def _ts(text: str) -> float:
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def _by_region(answer, key: str) -> dict:
    """{(region, label value): [(t, mean)]} from an /v1/indicators answer."""
    out = {}
    if isinstance(answer, ApiError) or not answer:
        return out
    for s in answer["series"]:
        label = next(iter(s["labels"].values()), "") if s["labels"] else ""
        out[(s["region"], label)] = [(_ts(p["time"]), p["mean"]) for p in s["points"]]
    return out


def utilization_charts(capacity: dict, used: dict, start, end) -> list:
    """Per resource class: utilization % of each region and of all regions together."""
    regions = sorted({r for r, _ in capacity})
    out = []
    for rc, title in RESOURCES:
        series, total_cap, total_used = [], {}, {}
        for region in regions:
            caps = dict(capacity.get((region, rc), []))
            points = []
            for t, u in used.get((region, rc), []):
                if caps.get(t):
                    points.append((t, 100 * u / caps[t]))
                    total_cap[t] = total_cap.get(t, 0) + caps[t]
                    total_used[t] = total_used.get(t, 0) + u
            series.append((region, points))
        series.append(("all regions", [(t, 100 * total_used[t] / c)
                                       for t, c in sorted(total_cap.items()) if c]))
        out.append(charts.line_chart(f"{title} utilization, %", series, _epoch(start),
                                     _epoch(end), _hm(start), _hm(end), y_max=100.0))
    return out


def capacity_charts(capacity: dict, used: dict, start, end) -> list:
    """Per resource class: what is allocated (used) and what can be (capacity), in all
    regions together, and each region's capacity."""
    regions = sorted({r for r, _ in capacity})
    out = []
    for rc, title in RESOURCES:
        totals = {"capacity, all regions": {}, "used, all regions": {}}
        series = []
        for region in regions:
            caps = capacity.get((region, rc), [])
            series.append((f"{region} capacity", caps))
            for label, points in (("capacity, all regions", caps),
                                  ("used, all regions", used.get((region, rc), []))):
                for t, v in points:
                    totals[label][t] = totals[label].get(t, 0) + v
        series += [(label, sorted(points.items())) for label, points in totals.items()]
        out.append(charts.line_chart(f"{title}: capacity and used", series, _epoch(start),
                                     _epoch(end), _hm(start), _hm(end)))
    return out


def usage_charts(usage: dict, start, end) -> list:
    """A member's view: the project's usage per quota resource, one line per region."""
    by_resource = {}
    for (region, resource), points in sorted(usage.items()):
        by_resource.setdefault(resource, []).append((region, points))
    return [charts.line_chart(f"Project usage: {resource}", series, _epoch(start),
                              _epoch(end), _hm(start), _hm(end))
            for resource, series in sorted(by_resource.items())]


def open_soft_limits(events: list[dict]) -> list[dict]:
    """Soft limits whose newest event (events come newest first) is a crossing."""
    seen, out = set(), []
    for e in events:
        if e["kind"] in ("soft_crossed", "soft_cleared") and e["resource"] not in seen:
            seen.add(e["resource"])
            if e["kind"] == "soft_crossed":
                out.append(e)
    return out


def problems(answers: dict) -> dict:
    def ok(name):
        value = answers.get(name)
        return None if isinstance(value, ApiError) or value is None else value
    jobs = ok("jobs")
    drift = ok("drift")
    events = ok("quota_events")
    conflicts = ok("conflicts")
    return {
        "failed_jobs": [j for j in (jobs or {}).get("jobs", []) if j["status"] == "FAILED"],
        "drift": [d for d in (drift or {}).get("drift", []) if not d["repaired"]],
        "conflicts": (conflicts or {}).get("conflicts", []),
        "soft_limits": open_soft_limits((events or {}).get("events", [])),
        "unavailable": sorted(n for n in ("jobs", "drift", "quota_events", "conflicts")
                              if isinstance(answers.get(n), ApiError)),
    }


def overview(page):
    end = datetime.datetime.now(datetime.UTC).replace(tzinfo=None, microsecond=0)
    start = end - WINDOW
    window = {"start": iso(start), "end": iso(end), "step": "5m"}
    p = page.project_id
    calls = {"regions": ("/v1/regions", {}),
             "jobs": ("/v1/jobs", {"limit": 100}),
             "drift": ("/v1/drift", {"limit": 50}),
             "quota_events": (f"/v1/projects/{p}/quota-events", {"limit": 50}),
             # the stored view (kept current by the periodic refresh): the overview must
             # not wait for a sweep of every region's Neutron
             "conflicts": (f"/v1/projects/{p}/addresses/conflicts", {"max_age": 900})}
    if page.is_admin:
        calls.update(summary=("/v1/indicators/summary", {}),
                     capacity=("/v1/indicators", {"name": "capacity", **window}),
                     used=("/v1/indicators", {"name": "used", **window}))
    else:
        calls["usage"] = ("/v1/indicators", {"name": "project_usage", "project_id": p,
                                             **window})
    answers = page.api.gather(**calls)
    if isinstance(answers["regions"], ApiError):
        raise answers["regions"]
    if page.is_admin:
        capacity = _by_region(answers["capacity"], "resource")
        used = _by_region(answers["used"], "resource")
        chart_list = (utilization_charts(capacity, used, start, end)
                      + capacity_charts(capacity, used, start, end))
    else:
        chart_list = usage_charts(_by_region(answers["usage"], "resource"), start, end)
    summary = answers.get("summary")
    return page.render("overview.html", partial="_overview_live.html", active="Overview",
                       regions=answers["regions"]["regions"],
                       summary=None if isinstance(summary, ApiError) else summary,
                       charts=chart_list, problems=problems(answers),
                       window_start=start, window_end=end, resources=RESOURCES)


ROUTES = [get(PREFIX + "/", overview)]
