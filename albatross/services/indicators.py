"""Indicators: a collection round over every region at once (endpoint health, Placement
capacity and usage, object counts, per-project usage and quota headroom), rollups and
retention after each round, and what the API, the summary and /metrics read.

A region where any read failed is recorded as down (a `region_up` sample of 0, and the
reason) with whatever did answer; the next round reads it again like any other, so it is up
again as soon as it answers."""
import datetime
import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial

from albatross.db import locks
from albatross.db.indicators import IndicatorStore, from_epoch, to_epoch
from albatross.db.models import utcnow
from albatross.db.quotas import QuotaStore
from albatross.events import bus
from albatross.exceptions import BadRequest
from albatross.indicators import catalog, prometheus
from albatross.indicators.downsample import (Source, bucket_start, choose_source,
                                             default_step, rollup)
from albatross.indicators.samples import (Sample, count_sample, failure_reason,
                                          health_samples, placement_samples, project_samples)
from albatross.indicators.summary import summarize
from albatross.indicators.timespec import iso, parse_duration, parse_rollups, parse_time
from albatross.jobs.errors import classify
from albatross.regions import indicators as reader
from albatross.regions.quotas import read_all_regions
from albatross.services.runtime import Runtime

LOG = logging.getLogger(__name__)
LOCK = "indicators:collect"
PARTS = ("placement",) + catalog.COUNTED_KINDS
PROJECTS_AT_ONCE = 4
MAX_POINTS = 10000       # buckets per series in one answer
DEFAULT_RANGE = 3600     # seconds back from `end` when no `start` is given


@dataclass(frozen=True)
class Settings:
    interval: int
    raw_retention: int
    levels: list[tuple[int, int]]


def settings(conf) -> Settings:
    """[indicators] parsed; ValueError naming the option when it is malformed, so that a
    bad value stops the process at start rather than the first round."""
    c = conf.indicators
    try:
        raw = parse_duration(c.raw_retention)
    except ValueError as exc:
        raise ValueError(f"[indicators] raw_retention: {exc}")
    try:
        levels = parse_rollups(c.rollups)
    except ValueError as exc:
        raise ValueError(f"[indicators] rollups: {exc}")
    return Settings(c.collect_interval, raw, levels)


# ---- collection ------------------------------------------------------------------------------
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


def _project_samples(rt: Runtime, names: list[str], failures: dict) -> list[Sample]:
    """Usage and headroom of every project with global quota settings. A region that did
    not answer (unreachable, timeout, 5xx) failed; a refusal about the project itself (a 4xx,
    e.g. a project deleted from Keystone with its Albatross limits left) only leaves that
    project's numbers out."""
    quotas = QuotaStore(rt.store.db_url)

    def read(project_id):
        return (project_id, quotas.effective(project_id)[0],
                read_all_regions(rt.registry, project_id, names))

    out: list[Sample] = []
    with ThreadPoolExecutor(PROJECTS_AT_ONCE, thread_name_prefix="indicators") as pool:
        for project_id, hard, raw in pool.map(read, quotas.projects_with_settings()):
            readings = {}
            for region, value in raw.items():
                readings[region] = None if isinstance(value, Exception) else value
                if readings[region] is None:
                    transient, why = _failure(value, region)
                    if not transient:
                        LOG.warning("indicators: quotas of project %s in %s not read: %s",
                                    project_id, region, why)
                    elif ("project quotas", why) not in failures[region]:
                        failures[region].append(("project quotas", why))
            out += project_samples(project_id, hard, readings)
    return out


def _bus_samples(rt: Runtime, names: list[str], failures: dict) -> list[Sample]:
    """bus_up for every region whose notifications Albatross listens to ([events])."""
    urls = {r: u for r, u in rt.conf.events.notification_urls.items() if r in names}
    out = []
    for region, why in rt.registry.fan_out(lambda r: bus.unreachable(urls[r]),
                                           list(urls)).items():
        if isinstance(why, Exception):
            why = f"message bus not checked ({type(why).__name__})"
        if why:
            failures[region].append(("bus", why))
        out.append(Sample("bus_up", region, "", "", 0.0 if why else 1.0))
    return out


def collect(rt: Runtime, s: Settings) -> dict[str, str | None]:
    """One round: every region and every part of it at once; the samples and statuses are
    stored together at the round's start time, then the rollups advance. Returns
    {region: None when up, else the reason}."""
    ts = utcnow()
    names = rt.registry.names()
    health = rt.health.check(names, fresh=True)
    reads = rt.registry.fan_out(partial(_read, rt.registry),
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
    samples += _project_samples(rt, names, failures)
    samples += _bus_samples(rt, names, failures)
    reasons = {r: failure_reason(f) for r, f in failures.items()}
    samples += [Sample("region_up", r, "", "", 0.0 if reasons[r] else 1.0) for r in names]
    store = IndicatorStore(rt.store.db_url)
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


def collect_due(rt: Runtime, s: Settings, owner: str) -> bool:
    """Collect unless another process did within the interval (a lease lasting 90 % of it:
    any number of servers and workers make one round per interval)."""
    if not locks.acquire(rt.store.db_url, LOCK, owner, max(1.0, s.interval * 0.9)):
        return False
    collect(rt, s)
    return True


# ---- reading ---------------------------------------------------------------------------------
def time_range(rt: Runtime, start: str | None, end: str | None,
               step: str | None) -> tuple[datetime.datetime, datetime.datetime, int]:
    """(start, end, step seconds) from the query; 400s name the field."""
    try:
        t1 = parse_time(end) if end else utcnow()
    except ValueError as exc:
        raise BadRequest(f"end: {exc}", field="end")
    try:
        t0 = parse_time(start) if start else t1 - datetime.timedelta(seconds=DEFAULT_RANGE)
    except ValueError as exc:
        raise BadRequest(f"start: {exc}", field="start")
    if t1 <= t0:
        raise BadRequest(f"end: {iso(t1)} is not after start {iso(t0)}", field="end")
    span = to_epoch(t1) - to_epoch(t0)
    if step is None:
        seconds = default_step(0, span, max(1, rt.conf.indicators.collect_interval))
    else:
        try:
            seconds = parse_duration(step)
        except ValueError as exc:
            raise BadRequest(f"step: {exc}", field="step")
    if span / seconds > MAX_POINTS:
        raise BadRequest(f"step: {step} makes more than {MAX_POINTS} points from start to "
                         f"end; give a longer step or a shorter range", field="step")
    return t0, t1, seconds


def _series_view(row, points) -> dict:
    ind = catalog.INDICATORS.get(row.name)
    return {"name": row.name, "region": row.region, "project_id": row.project_id or None,
            "labels": {ind.label: row.key} if ind and ind.label else {},
            "unit": ind.unit if ind else "",
            "points": [{"time": iso(from_epoch(b.start)), "mean": b.mean, "min": b.low,
                        "max": b.high, "samples": b.count} for b in points]}


def query(rt: Runtime, *, names: list[str] | None, region: str | None,
          project_id: str | None, start: datetime.datetime, end: datetime.datetime,
          step: int) -> dict:
    """The matching series in buckets of `step`, from the best resolution stored for that
    range (docs/indicators.md): rollups fitting the step where raw samples no longer reach
    back, plus the raw samples newer than what those rollups hold."""
    s = settings(rt.conf)
    store = IndicatorStore(rt.store.db_url)
    now, marks = to_epoch(utcnow()), store.marks()
    sources = [Source(0, now - s.raw_retention)] + [
        Source(st, now - keep) for st, keep in s.levels if st in marks]
    lo, hi = bucket_start(to_epoch(start), step), to_epoch(end)
    source = choose_source(sources, lo, step)
    rows = store.series(names, region, project_id)
    ids = [r.id for r in rows]
    older: dict = {}
    raw_from = lo
    if source.step:
        raw_from = max(lo, marks[source.step])
        older = store.points(source.step, ids, lo, min(hi, raw_from))
    newer = store.points(0, ids, raw_from, hi)
    series = []
    for row in rows:
        points = rollup(older.get(row.id, []) + newer.get(row.id, []), step)
        if points:
            series.append(_series_view(row, points))
    return {"start": iso(from_epoch(lo)), "end": iso(end), "step": step,
            "resolution": source.step, "series": series}


def summary(rt: Runtime) -> dict:
    store = IndicatorStore(rt.store.db_url)
    return summarize(store.last(), store.statuses())


def metrics_text(rt: Runtime) -> str:
    """Series whose last value is from the last three rounds: numbers a region no longer
    gives disappear rather than stay frozen (its `region_up` says it is down)."""
    interval = rt.conf.indicators.collect_interval
    since = utcnow() - datetime.timedelta(seconds=3 * interval) if interval else None
    store = IndicatorStore(rt.store.db_url)
    return prometheus.render(store.last_values(since))
