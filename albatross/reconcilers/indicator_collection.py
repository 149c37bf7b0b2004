"""Indicator collection, a controller with one key: a round over every region at once
(endpoint health, Placement capacity and usage, object counts; per-project usage and quota
headroom as the rebalances last read them), then rollups and retention; the next round [indicators] collect_interval after
this one started. One row in the work queue, so any number of servers and workers make one
round per interval.

A region where any read failed is recorded as down (a `region_up` sample of 0, and the
reason) with whatever did answer; the next round reads it again like any other, so it is up
again as soon as it answers."""
import logging
import time
from functools import partial

from albatross.db.indicators import IndicatorStore
from albatross.db.models import utcnow
from albatross.db.quotas import QuotaStore
from albatross.events import bus
from albatross.quota.resources import RESOURCES
from albatross.indicators import catalog
from albatross.indicators.samples import (Sample, count_sample, failure_reason,
                                          health_samples, placement_samples, project_samples)
from albatross.indicators.settings import Settings, settings
from albatross.reconcilers.base import Controller, ControllerContext, Outcome
from albatross.reconcilers.errors import classify
from albatross.regions import indicators as reader

LOG = logging.getLogger(__name__)
PARTS = ("placement",) + catalog.COUNTED_KINDS


def _failure(exc: Exception, region: str) -> tuple[bool, str]:
    """(transient, why): why without the region's name, which the caller shows anyway."""
    failure = classify(exc, region)
    if failure.unexpected:
        LOG.error("indicator read in %s failed unexpectedly", region, exc_info=exc)
    return failure.transient, failure.message.removeprefix(f"{region}: ")


def _read(registry, job: tuple[str, str]):
    region, part = job
    conn = registry.connection(region)
    return reader.read_placement(conn) if part == "placement" else reader.count(conn, part)


def _project_samples(ctx: ControllerContext, names: list[str]) -> list[Sample]:
    """Usage and headroom of every project with global quota settings, as the rebalances
    (periodic, on notifications, on request) last read them in each region: reading every
    project live in every region each round cost projects x regions x 4 calls (38 s a
    round for 20 projects over 100 regions). A region never read for the project counts
    as not answering: no headroom is shown for it."""
    quotas = QuotaStore(ctx.db_url)
    out: list[Sample] = []
    for project_id in quotas.projects_with_settings():
        recorded: dict[str, tuple[dict, dict]] = {}
        for (resource, region), row in quotas.allowances(project_id).items():
            limits, usage = recorded.setdefault(region, ({}, {}))
            limits[resource], usage[resource] = row.native_limit, row.usage
        readings = {r: recorded[r] if set(recorded.get(r, ({}, {}))[0]) >= set(RESOURCES)
                    else None for r in names}
        out += project_samples(project_id, quotas.effective(project_id)[0], readings)
    return out


def _bus_samples(ctx: ControllerContext, names: list[str], failures: dict) -> list[Sample]:
    """bus_up for every region whose notifications Albatross listens to ([events])."""
    urls = {r: u for r, u in ctx.conf.events.notification_urls.items() if r in names}
    out = []
    for region, why in ctx.registry.fan_out(lambda r: bus.unreachable(urls[r]),
                                           list(urls)).items():
        if isinstance(why, Exception):
            why = f"message bus not checked ({type(why).__name__})"
        if why:
            failures[region].append(("bus", why))
        out.append(Sample("bus_up", region, "", "", 0.0 if why else 1.0))
    return out


def collect(ctx: ControllerContext, s: Settings) -> dict[str, str | None]:
    """One round: every region and every part of it at once; the samples and statuses are
    stored together at the round's start time, then the rollups advance. Returns
    {region: None when up, else the reason}."""
    ts = utcnow()
    names = ctx.registry.names()
    health = ctx.health.check(names, fresh=True)
    reads = ctx.registry.fan_out(partial(_read, ctx.registry),
                                [(r, part) for r in names for part in PARTS])
    samples = [x for r in names for x in health_samples(r, health[r])]
    failures: dict[str, list[tuple[str, str]]] = {r: [] for r in names}
    for (region, part), result in reads.items():
        if isinstance(result, Exception):
            failures[region].append((part, _failure(result, region)[1]))
        elif part == "placement":
            samples += placement_samples(region, result)
        else:
            samples.append(count_sample(region, part, result))
    samples += _project_samples(ctx, names)
    samples += _bus_samples(ctx, names, failures)
    reasons = {r: failure_reason(f) for r, f in failures.items()}
    samples += [Sample("region_up", r, "", "", 0.0 if reasons[r] else 1.0) for r in names]
    store = IndicatorStore(ctx.db_url)
    for region in store.write_round(ts, samples, reasons):
        if reasons[region]:
            LOG.warning("indicators: %s is down: %s", region, reasons[region])
        else:
            LOG.info("indicators: %s answers again", region)
    try:
        store.maintain(utcnow(), s.interval, s.raw_retention, s.levels)
    except Exception as exc:  # the round is stored; the next one rolls up what is left
        LOG.warning("indicator rollups not advanced: %s", type(exc).__name__)
    return reasons


class IndicatorCollection(Controller):
    kind = "indicator_collection"

    def resync_interval(self, conf) -> float:
        return conf.indicators.collect_interval

    def reconcile(self, ctx: ControllerContext) -> Outcome:
        s = settings(ctx.conf)
        started = time.monotonic()
        reasons = collect(ctx, s)
        down = sorted(r for r, why in reasons.items() if why)
        return Outcome("collected", False, details={"regions": len(reasons), "down": down},
                       requeue_after=max(0.0, s.interval - (time.monotonic() - started))
                       if s.interval else None)   # 0: never by itself (a run asked for once)
