"""Indicators as the API, the summary and /metrics read them (the collection rounds are a
controller: reconcilers/indicator_collection.py)."""
import datetime

from albatross.db.indicators import from_epoch, to_epoch
from albatross.db.models import utcnow
from albatross.exceptions import BadRequest
from albatross.indicators import catalog, prometheus
from albatross.indicators.downsample import (Source, bucket_start, choose_source,
                                             default_step, rollup)
from albatross.indicators.settings import settings
from albatross.indicators.summary import summarize
from albatross.indicators.timespec import iso, parse_duration, parse_time
from albatross.services.runtime import Runtime

MAX_POINTS = 10000       # buckets per series in one answer
DEFAULT_RANGE = 3600     # seconds back from `end` when no `start` is given


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
    store = rt.indicators
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
    store = rt.indicators
    return summarize(store.last(), store.statuses())


def metrics_text(rt: Runtime) -> str:
    """Series whose last value is from the last three rounds: numbers a region no longer
    gives disappear rather than stay frozen (its `region_up` says it is down)."""
    interval = rt.conf.indicators.collect_interval
    since = utcnow() - datetime.timedelta(seconds=3 * interval) if interval else None
    store = rt.indicators
    return prometheus.render(store.last_values(since))
