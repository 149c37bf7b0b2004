"""The indicator store on every backend: rounds, region statuses, rollups in passes with
watermarks (nothing counted twice), and retention that never drops what is not rolled up."""
import datetime

from sqlalchemy import func, select

from albatross.db.engine import session_scope
from albatross.db.indicators import (IndicatorRollup, IndicatorSample, IndicatorStore,
                                     to_epoch)
from albatross.indicators.samples import Sample

T0 = datetime.datetime(2025, 1, 31, 0, 0, 0)
MINUTE = datetime.timedelta(minutes=1)
LEVELS = [(300, 30 * 86400), (3600, 400 * 86400)]


def _round(store, i, region_up=True):
    """Round i at T0 + i minutes: VCPU capacity 100 + i (so every bucket's mean, min and
    max are known) and whether the region answered. Returns (time, regions that changed)."""
    ts = T0 + i * MINUTE
    changed = store.write_round(
        ts, [Sample("capacity", "R1", "", "VCPU", 100.0 + i),
             Sample("region_up", "R1", "", "", 1.0 if region_up else 0.0)],
        {"R1": None if region_up else "placement: service unreachable"})
    return ts, changed


def _rollups(db_url, step):
    with session_scope(db_url) as s:
        return list(s.execute(select(IndicatorRollup.ts, IndicatorRollup.samples,
                                     IndicatorRollup.total, IndicatorRollup.low,
                                     IndicatorRollup.high)
                              .where(IndicatorRollup.step == step).order_by(IndicatorRollup.ts)
                              .limit(10 ** 6)))


def test_statuses_and_last_values(db_url):
    store = IndicatorStore(db_url)
    assert _round(store, 0)[1] == []              # first seen, and up
    t1, changed = _round(store, 1, region_up=False)
    assert changed == ["R1"]
    t2, changed = _round(store, 2, region_up=False)
    assert changed == []
    (status,) = store.statuses()
    assert (status.up, status.reason, status.checked_at, status.since) == \
        (False, "placement: service unreachable", t2, t1)
    last = {(v.name, v.key): (v.value, v.at) for v in store.last()}
    assert last[("capacity", "VCPU")] == (102.0, t2)
    assert last[("region_up", "")] == (0.0, t2)
    assert len(store.series()) == 2


def test_rollups_in_passes_then_retention(db_url):
    store = IndicatorStore(db_url)
    for i in range(10 * 60):                     # ten hours, one round a minute
        _round(store, i)
    now = T0 + 10 * 60 * MINUTE
    store.maintain(now, grace=60, raw_retention=3600, levels=LEVELS)

    # two series; 119 closed 5-minute buckets each (more than one pass's 100), 9 hours
    fine, coarse = _rollups(db_url, 300), _rollups(db_url, 3600)
    assert len(fine) == 2 * 119 and {r.samples for r in fine} == {5}
    assert len(coarse) == 2 * 9 and {r.samples for r in coarse} == {60}
    marks = store.marks()
    assert marks[300] == to_epoch(T0 + 595 * MINUTE)
    assert marks[3600] == to_epoch(T0 + 540 * MINUTE)
    vcpu = next(r.id for r in store.series(["capacity"]))
    five = store.points(300, [vcpu], to_epoch(T0 + 5 * MINUTE), to_epoch(T0 + 6 * MINUTE))
    (b,) = five[vcpu]
    assert (b.count, b.low, b.high, b.mean) == (5, 105.0, 109.0, 107.0)
    hour = store.points(3600, [vcpu], to_epoch(T0), to_epoch(T0) + 3600)[vcpu][0]
    assert (hour.count, hour.low, hour.high, hour.mean) == (60, 100.0, 159.0, 129.5)
    with session_scope(db_url) as s:           # raw: the last hour only
        oldest = s.scalar(select(func.min(IndicatorSample.ts)))
    assert oldest == now - datetime.timedelta(hours=1)

    store.maintain(now, grace=60, raw_retention=3600, levels=LEVELS)
    assert _rollups(db_url, 300) == fine and _rollups(db_url, 3600) == coarse
    for i in range(600, 606):
        _round(store, i)
    store.maintain(now + 6 * MINUTE, grace=60, raw_retention=3600, levels=LEVELS)
    later = _rollups(db_url, 300)             # the buckets at 9:55 and 10:00 closed since
    assert len(later) == 2 * 121 and {r.samples for r in later} == {5}


def test_raw_samples_stay_until_rolled_up(db_url):
    """A raw retention shorter than the wait for the first bucket to close keeps the raw
    samples: dropping them would lose them from every level."""
    store = IndicatorStore(db_url)
    for i in range(4):
        _round(store, i)
    store.maintain(T0 + 4 * MINUTE, grace=60, raw_retention=60, levels=LEVELS)
    with session_scope(db_url) as s:
        assert s.scalar(select(func.count()).select_from(IndicatorSample)) == 8
    store.maintain(T0 + 10 * MINUTE, grace=60, raw_retention=60, levels=LEVELS)
    assert [r.samples for r in _rollups(db_url, 300)] == [4, 4]
