"""Downsampling keeps averages exact and min/max intact at every level, and rolling up in
passes (as the collector does, round after round) counts every sample exactly once."""
import math

from hypothesis import given, settings
from hypothesis import strategies as st

from albatross.indicators.downsample import (Bucket, Source, bucket_start, choose_source,
                                             closed_before, default_step, next_window, rollup)

DAY = 86400
values = st.floats(min_value=-1e9, max_value=1e9, allow_nan=False)
times = st.floats(min_value=1.7e9, max_value=1.7e9 + 3 * DAY, allow_nan=False)
samples = st.lists(st.tuples(times, values), min_size=1, max_size=300)
steps = st.sampled_from([60, 300, 900, 3600])


def points(pairs):
    return [Bucket.sample(t, v) for t, v in pairs]


def close(a, b):
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-3)


@given(samples, steps)
def test_every_bucket_holds_exactly_its_samples(pairs, step):
    buckets = rollup(points(pairs), step)
    assert [b.start for b in buckets] == sorted({bucket_start(t, step) for t, _ in pairs})
    for b in buckets:
        mine = [v for t, v in pairs if b.start <= t < b.start + step]
        assert b.start % step == 0
        assert b.count == len(mine)
        assert close(b.total, sum(mine))
        assert (b.low, b.high) == (min(mine), max(mine))
        assert b.low - 1e-6 <= b.mean <= b.high + 1e-6
    assert sum(b.count for b in buckets) == len(pairs)


@given(samples)
def test_coarse_buckets_from_fine_ones_equal_coarse_buckets_from_samples(pairs):
    """An hour made of 5-minute buckets is the same hour as made from the raw samples:
    counts, sums and extremes survive a level, so averages are never averaged."""
    raw = points(pairs)
    via_fine = rollup(rollup(raw, 300), 3600)
    direct = rollup(raw, 3600)
    assert [(b.start, b.count, b.low, b.high) for b in via_fine] == \
        [(b.start, b.count, b.low, b.high) for b in direct]
    assert all(close(a.total, b.total) for a, b in zip(via_fine, direct))


def passes(pts, step, rounds, grace, max_buckets, limit_of=None):
    """What the store does: after each round, passes from the watermark up to what is
    closed (or, for a coarser level, up to the finer level's watermark)."""
    mark, out = None, []
    first = min((p.start for p in pts), default=None)
    for now in rounds:
        limit = limit_of(now) if limit_of else closed_before(now, step, grace)
        while (window := next_window(mark, first, limit, step, max_buckets)) is not None:
            lo, hi = window
            out += rollup([p for p in pts if lo <= p.start < hi], step)
            mark = hi
    return out, mark


@settings(max_examples=200)
@given(samples, st.lists(st.floats(min_value=1.7e9, max_value=1.7e9 + 4 * DAY),
                         min_size=1, max_size=20),
       st.integers(min_value=1, max_value=30), st.sampled_from([0, 60]))
def test_passes_count_every_sample_once(pairs, rounds, max_buckets, grace):
    """However the rounds fall and however small each pass, the buckets written are exactly
    the single-pass buckets of everything before the final watermark: none twice, none
    missing. Then the same for an hourly level rolled from the 5-minute one."""
    raw = points(pairs)
    fine, fine_mark = passes(raw, 300, sorted(rounds), grace, max_buckets)
    starts = [b.start for b in fine]
    assert len(starts) == len(set(starts))
    expected = rollup([p for p in raw if fine_mark is not None and p.start < fine_mark], 300)
    assert fine == expected

    coarse, coarse_mark = passes(fine, 3600, sorted(rounds), grace, max_buckets,
                                 limit_of=lambda _now: fine_mark or 0)
    assert coarse_mark is None or coarse_mark <= (fine_mark or 0)
    assert [b.start for b in coarse] == sorted({b.start for b in coarse})
    counted = [p for p in raw if coarse_mark is not None and p.start < coarse_mark]
    assert sum(b.count for b in coarse) == len(counted)
    assert [(b.start, b.low, b.high) for b in coarse] == \
        [(b.start, b.low, b.high) for b in rollup(counted, 3600)]


@given(st.integers(min_value=0, max_value=10 ** 6), steps, st.integers(0, 600))
def test_nothing_still_open_is_closed(now, step, grace):
    """A round that started up to `grace` ago writes into buckets at or after the limit."""
    limit = closed_before(now, step, grace)
    assert limit % step == 0 and limit <= now - grace
    assert bucket_start(now - grace, step) >= limit


levels = st.lists(st.tuples(st.sampled_from([300, 900, 3600, DAY]),
                            st.floats(min_value=0, max_value=1e6)), max_size=4)


@given(st.floats(min_value=0, max_value=1e6), levels, st.floats(0, 1e6),
       st.sampled_from([60, 300, 3600, 7200, 420, DAY]))
def test_the_source_fits_the_step_and_is_the_finest_that_reaches_back(raw_from, rollups,
                                                                      start, step):
    sources = [Source(0, raw_from)] + [Source(s, kept) for s, kept in rollups]
    chosen = choose_source(sources, start, step)
    assert chosen.step == 0 or step % chosen.step == 0
    fitting = [s for s in sources if s.step == 0 or step % s.step == 0]
    covering = [s for s in fitting if s.kept_from <= start]
    if covering:
        assert chosen.kept_from <= start
        assert chosen.step == min(s.step for s in covering)
    else:
        assert chosen.kept_from == min(s.kept_from for s in fitting)


def test_sources_in_practice():
    now = 100 * DAY
    sources = [Source(0, now - 2 * DAY), Source(300, now - 30 * DAY),
               Source(3600, now - 400 * DAY)]
    assert choose_source(sources, now - DAY, 300).step == 0           # raw still there
    assert choose_source(sources, now - 10 * DAY, 3600).step == 300   # 5m fits an hour
    assert choose_source(sources, now - 10 * DAY, 420).step == 0      # 7m: only raw fits
    assert choose_source(sources, now - 90 * DAY, 3600).step == 3600


@given(st.floats(min_value=1, max_value=400 * DAY), st.sampled_from([1, 10, 60, 300]))
def test_default_steps_give_few_points_and_never_finer_than_collection(span, floor):
    step = default_step(0, span, floor)
    assert step >= floor
    assert span / step <= 300
