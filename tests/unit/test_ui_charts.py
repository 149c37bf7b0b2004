"""The dashboard's server-drawn SVG charts: stacked usage bars (per region, against a global and
a soft limit) and line charts over a time window. Whatever the numbers, nothing is drawn
outside its box."""
import datetime
import math
import time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from albatross.ui import charts
from albatross.ui.pages import overview

EPS = 1e-6
values = st.floats(min_value=-1e6, max_value=1e9, allow_nan=False, allow_infinity=False)
amounts = st.floats(min_value=0, max_value=1e9, allow_nan=False, allow_infinity=False)
parts = st.lists(st.tuples(st.text(max_size=8), values), max_size=8)
limits = st.one_of(st.none(), st.just(-1), st.just(-1.0), amounts)
widths = st.integers(min_value=1, max_value=2000)


def _bar_end(bar) -> float:
    return sum(s.width for s in bar.segments)


@given(parts, limits, limits, widths)
def test_stacked_bar_segments_fill_total_over_scale_and_never_overflow(parts, limit, soft,
                                                                         width):
    bar = charts.stacked_bar(parts, limit, soft, width=width)
    total = sum(max(v, 0) for _, v in parts)
    assert bar.total == pytest.approx(total)
    assert bar.scale > 0
    assert _bar_end(bar) == pytest.approx(width * total / bar.scale, rel=1e-9, abs=EPS)
    assert _bar_end(bar) <= width + EPS
    x = 0.0
    for seg, (label, value) in zip(bar.segments, parts, strict=True):
        assert seg.label == label and seg.value == value
        assert seg.width >= 0
        assert seg.x == pytest.approx(x, abs=EPS)   # side by side, in order
        assert 0 <= seg.x <= width + EPS
        x += seg.width
    for marker in (bar.limit_x, bar.soft_x):
        if marker is not None:
            assert -EPS <= marker <= width + EPS


@given(parts, limits, widths)
def test_stacked_bar_limit_marker_only_for_a_limit(parts, limit, width):
    bar = charts.stacked_bar(parts, limit, width=width)
    unlimited = limit is None or limit < 0
    assert (bar.limit_x is None) == unlimited
    assert bar.soft_x is None


@given(st.lists(st.tuples(st.text(max_size=4), st.floats(min_value=1, max_value=1e6)),
                min_size=1, max_size=6),
       st.floats(min_value=0, max_value=1), widths)
def test_stacked_bar_overshoot_puts_the_limit_left_of_the_bar_end(parts, share, width):
    total = sum(v for _, v in parts)
    limit = total * share * 0.99          # strictly below the total
    bar = charts.stacked_bar(parts, limit, width=width)
    assert bar.limit_x < _bar_end(bar)
    assert _bar_end(bar) == pytest.approx(width)  # the bar is scaled to the overshoot


@given(st.lists(st.tuples(st.text(max_size=4), amounts), max_size=6), amounts, widths)
def test_stacked_bar_within_limit_ends_at_or_before_the_limit(parts, extra, width):
    limit = sum(v for _, v in parts) + extra
    bar = charts.stacked_bar(parts, limit, width=width)
    assert _bar_end(bar) <= bar.limit_x + EPS
    if limit > 0:
        assert bar.limit_x == pytest.approx(width)


def test_stacked_bar_examples():
    bar = charts.stacked_bar([("RegionOne", 30), ("RegionTwo", 20)], 100, soft=80, width=400)
    assert [(s.x, s.width) for s in bar.segments] == [(0, 120), (120, 80)]
    assert (bar.limit_x, bar.soft_x, bar.scale) == (400, 320, 100)
    assert [s.colour for s in bar.segments] == [charts.colour(0), charts.colour(1)]
    over = charts.stacked_bar([("a", 150), ("b", 50)], 100, width=400)
    assert (over.scale, over.limit_x, _bar_end(over)) == (200, 200, 400)
    unlimited = charts.stacked_bar([("a", 5)], -1, soft=-1)   # -1: no limit, no soft limit
    assert unlimited.limit_x is None and unlimited.soft_x is None
    assert _bar_end(unlimited) == 400
    nothing = charts.stacked_bar([], None)
    assert nothing.segments == [] and nothing.total == 0 and nothing.scale == 1.0
    zero = charts.stacked_bar([("a", 0)], 0)
    assert zero.limit_x == 0 and _bar_end(zero) == 0
    negative = charts.stacked_bar([("a", -5), ("b", 10)], 20)   # a negative part draws nothing
    assert negative.segments[0].width == 0 and negative.total == 10


def _coords(points: str) -> list[tuple[float, float]]:
    return [tuple(float(c) for c in p.split(",")) for p in points.split()] if points else []


times = st.floats(min_value=0, max_value=4e9, allow_nan=False)


@st.composite
def windows(draw):
    start = draw(times)
    span = draw(st.floats(min_value=0, max_value=1e6))
    return start, start + span


@given(windows(), st.lists(st.tuples(st.text(max_size=6),
                                     st.lists(st.tuples(times, values), max_size=20)),
                           max_size=5),
       st.one_of(st.none(), st.floats(min_value=0, max_value=1e9)))
def test_line_chart_points_stay_inside_the_box(window, series, y_max):
    start, end = window
    # half of each series inside the window, whatever the strategy drew
    series = [(label, pts + [(start + (end - start) * (i / 7), v) for i, (_, v) in
                             enumerate(pts[:8])]) for label, pts in series]
    chart = charts.line_chart("t", series, start, end, y_max=y_max)
    assert chart.y_max > 0
    assert len(chart.lines) == len(series)
    for line, (label, pts) in zip(chart.lines, series, strict=True):
        assert line.label == label
        drawn = _coords(line.points)
        assert len(drawn) == sum(1 for t, _ in pts if start <= t <= end)
        for x, y in drawn:
            assert chart.pad <= x <= chart.width - chart.pad
            assert chart.pad <= y <= chart.height - chart.pad
        assert [x for x, _ in drawn] == sorted(x for x, _ in drawn)  # left to right in time
        assert line.last == (max(pts)[1] if pts else None)   # the newest value
    assert chart.empty == (not any(line.points for line in chart.lines))


def test_line_chart_empty_series():
    assert charts.line_chart("t", [], 0, 10).empty
    assert charts.line_chart("t", [("a", [])], 0, 10).empty
    outside = charts.line_chart("t", [("a", [(20.0, 1.0)]), ("b", [(-1.0, 2.0)])], 0, 10)
    assert outside.empty and outside.lines[0].last == 1.0
    assert not charts.line_chart("t", [("a", [(5.0, 1.0)])], 0, 10).empty


def test_line_chart_scale_and_clamp():
    w, h, pad = charts.WIDTH, charts.HEIGHT, charts.PAD
    chart = charts.line_chart("t", [("a", [(10.0, 50.0), (0.0, 0.0), (5.0, 100.0)])], 0, 10,
                              "00:00 UTC", "06:00 UTC")
    assert chart.y_max == 100.0 and (chart.start, chart.end) == ("00:00 UTC", "06:00 UTC")
    assert _coords(chart.lines[0].points) == [(pad, h - pad), (w / 2, pad),
                                              (w - pad, pad + (h - 2 * pad) / 2)]
    assert chart.lines[0].last == 50.0
    # utilization above y_max (overcommit) or a negative value stays on the box's edge
    clamped = charts.line_chart("t", [("a", [(0.0, 250.0), (10.0, -3.0)])], 0, 10,
                                y_max=100.0)
    assert _coords(clamped.lines[0].points) == [(pad, pad), (w - pad, h - pad)]
    # all zero, or all negative: a box from 0 to 1, not a division by zero or a flip
    for v in (0.0, -5.0):
        flat = charts.line_chart("t", [("a", [(0.0, v)])], 0, 0)
        assert flat.y_max == 1.0 and _coords(flat.lines[0].points) == [(pad, h - pad)]
    assert [line.colour for line in charts.line_chart(
        "t", [(str(i), []) for i in range(10)], 0, 1).lines] == [
        charts.colour(i) for i in range(10)]
    assert charts.colour(len(charts.PALETTE)) == charts.PALETTE[0]


@pytest.fixture
def far_east_timezone(monkeypatch):
    if not hasattr(time, "tzset"):
        pytest.skip("no tzset on this platform")
    monkeypatch.setenv("TZ", "Asia/Tokyo")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def test_overview_charts_use_utc_windows_whatever_the_servers_timezone(far_east_timezone):
    """The window's ends are naive UTC; the API's points are UTC ("...Z"). A server whose
    local time is not UTC must still put the points inside the window."""
    end = datetime.datetime(2026, 11, 30, 12, 0, 0)
    start = end - overview.WINDOW
    t = overview._ts("2026-11-30T09:00:00Z")
    capacity = {("RegionOne", "VCPU"): [(t, 100.0)]}
    used = {("RegionOne", "VCPU"): [(t, 25.0)]}
    vcpu = overview.utilization_charts(capacity, used, start, end)[0]
    assert not vcpu.empty
    (x, y), = _coords(vcpu.lines[0].points)
    assert x == pytest.approx(charts.PAD + (charts.WIDTH - 2 * charts.PAD) / 2, abs=0.1)
    assert y == pytest.approx(charts.PAD + (charts.HEIGHT - 2 * charts.PAD) * 0.75, abs=0.1)
    usage = overview.usage_charts({("RegionOne", "cores"): [(t, 4.0)]}, start, end)
    assert len(usage) == 1 and not usage[0].empty
    assert math.isclose(usage[0].lines[0].last, 4.0)


def test_capacity_charts_add_up_the_regions():
    end = datetime.datetime(2026, 11, 30, 12, 0, 0)
    start = end - overview.WINDOW
    t1, t2 = overview._ts("2026-11-30T09:00:00Z"), overview._ts("2026-11-30T10:00:00Z")
    capacity = {("RegionOne", "VCPU"): [(t1, 100.0), (t2, 120.0)],
                ("RegionTwo", "VCPU"): [(t1, 50.0), (t2, 50.0)]}
    used = {("RegionOne", "VCPU"): [(t1, 10.0), (t2, 30.0)],
            ("RegionTwo", "VCPU"): [(t1, 5.0), (t2, 5.0)]}
    vcpu, ram, disk = overview.capacity_charts(capacity, used, start, end)
    lines = {line.label: line for line in vcpu.lines}
    assert set(lines) == {"RegionOne capacity", "RegionTwo capacity",
                          "capacity, all regions", "used, all regions"}
    assert lines["capacity, all regions"].last == 170.0
    assert lines["used, all regions"].last == 35.0
    assert vcpu.y_max == 170.0 and ram.empty and disk.empty
