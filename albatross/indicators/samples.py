"""Samples from what one round read. A sample is one number of one series at the round's
time; the numbers are made here, from the readers' answers, so that what is stored can be
checked without a cloud."""
from typing import NamedTuple

from albatross.indicators.catalog import ALL_REGIONS
from albatross.quota.view import global_view


class Sample(NamedTuple):
    name: str
    region: str
    project_id: str
    key: str
    value: float


def health_samples(region: str, health: dict) -> list[Sample]:
    """From HealthProbe.check()[region]. A latency is kept only for an endpoint that
    answered: the time to a refused connection says nothing about the service."""
    out = []
    for service, info in sorted(health["services"].items()):
        up = info["status"] == "up"
        out.append(Sample("endpoint_up", region, "", service, 1.0 if up else 0.0))
        if up:
            out.append(Sample("endpoint_latency_seconds", region, "", service,
                              info["latency_ms"] / 1000.0))
    return out


def placement_samples(region: str, placement: dict[str, dict]) -> list[Sample]:
    """From {resource class: {"capacity", "used"}}; utilization only where there is
    capacity (a region without compute is not 0 % or 100 % busy)."""
    out = []
    for rc, v in sorted(placement.items()):
        out.append(Sample("capacity", region, "", rc, float(v["capacity"])))
        out.append(Sample("used", region, "", rc, float(v["used"])))
        if v["capacity"] > 0:
            out.append(Sample("utilization", region, "", rc, v["used"] / v["capacity"]))
    return out


def count_sample(region: str, kind: str, count: int) -> Sample:
    return Sample("resource_count", region, "", kind, float(count))


def project_samples(project_id: str, hard: dict[str, int],
                    readings: dict[str, tuple[dict, dict] | None]) -> list[Sample]:
    """Usage in each region that answered, and the global headroom (limit minus usage in all
    regions) only when every region answered: a sum over some regions would show room that
    is not there. Unlimited resources have no headroom."""
    complete = all(r is not None for r in readings.values())
    out = []
    for resource, view in global_view(hard, {}, readings).items():
        for region, used in sorted(view["usage"].items()):
            if used is not None:
                out.append(Sample("project_usage", region, project_id, resource, float(used)))
        if complete and view["remaining"] is not None:
            out.append(Sample("project_headroom", ALL_REGIONS, project_id, resource,
                              float(view["remaining"])))
    return out


def failure_reason(failures: list[tuple[str, str]]) -> str | None:
    """[(what, why)] -> "networks, ports: service unreachable; placement: HTTP 500": the
    reads that failed for the same reason named together, in the order they came."""
    by_reason: dict[str, list[str]] = {}
    for what, why in failures:
        by_reason.setdefault(why, []).append(what)
    return "; ".join(f"{', '.join(whats)}: {why}" for why, whats in by_reason.items()) or None
