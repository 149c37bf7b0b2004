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


def run_rounds(raw, rounds, grace, max_buckets):
    """What the store does after each round: passes of the 5-minute level from the raw
    samples up to what is closed, then of the hourly level from the 5-minute buckets up to
    the 5-minute watermark. Returns ({step: buckets written}, {step: watermark})."""
    marks, out = {300: None, 3600: None}, {300: [], 3600: []}
    first_raw = min(p.start for p in raw)
    for now in rounds:
        limit = closed_before(now, 300, grace)
        while (window := next_window(marks[300], first_raw, limit, 300, max_buckets)):
            out[300] += rollup([p for p in raw if window[0] <= p.start < window[1]], 300)
            marks[300] = window[1]
        if marks[300] is None:
            continue
        first_fine = min((b.start for b in out[300]), default=None)
        while (window := next_window(marks[3600], first_fine, marks[300], 3600, max_buckets)):
            out[3600] += rollup([b for b in out[300] if window[0] <= b.start < window[1]],
                                3600)
            marks[3600] = window[1]
    return out, marks


@settings(max_examples=300)
@given(samples, st.lists(st.floats(min_value=1.7e9, max_value=1.7e9 + 4 * DAY),
                         min_size=1, max_size=20),
       st.integers(min_value=1, max_value=30), st.sampled_from([0, 60]))
def test_passes_count_every_sample_once(pairs, rounds, max_buckets, grace):
    """However the rounds fall and however small each pass, each level's buckets are exactly
    the single-pass buckets of everything before its watermark: none twice, none missing;
    and the hourly level never runs ahead of the 5-minute one it is made from."""
    raw = points(pairs)
    out, marks = run_rounds(raw, sorted(rounds), grace, max_buckets)
    for step in (300, 3600):
        starts = [b.start for b in out[step]]
        assert starts == sorted(set(starts))
        counted = [p for p in raw if marks[step] is not None and p.start < marks[step]]
        assert sum(b.count for b in out[step]) == len(counted)
        expected = rollup(counted, step)
        assert [(b.start, b.count, b.low, b.high) for b in out[step]] == \
            [(b.start, b.count, b.low, b.high) for b in expected]
        assert all(close(a.total, b.total) for a, b in zip(out[step], expected))
    if marks[3600] is not None:
        assert marks[3600] <= marks[300]


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
