"""Charts as SVG drawn on the server: no chart library to ship or license, nothing to run in
the browser, and every label goes through the template's escaping."""
from dataclasses import dataclass

PALETTE = ("#0b5cad", "#c2410c", "#15803d", "#7e22ce", "#0e7490", "#a16207", "#be123c",
           "#4d7c0f")
WIDTH, HEIGHT, PAD = 600, 200, 40


def colour(i: int) -> str:
    return PALETTE[i % len(PALETTE)]


@dataclass
class Line:
    label: str
    colour: str
    points: str   # the SVG polyline's "x,y x,y"
    last: float | None


@dataclass
class LineChart:
    title: str
    lines: list
    y_max: float
    start: str
    end: str
    width: int = WIDTH
    height: int = HEIGHT
    pad: int = PAD

    @property
    def empty(self) -> bool:
        return not any(line.points for line in self.lines)


def line_chart(title: str, series: list[tuple[str, list[tuple[float, float]]]],
               start: float, end: float, start_label: str = "", end_label: str = "",
               y_max: float | None = None) -> LineChart:
    """`series`: (label, [(unix time, value)]) scaled into one box from `start` to `end`;
    y from 0 to the largest value (or `y_max`). A value beyond `y_max` (over 100 %
    utilization) or below 0 is drawn at the edge of the box, never outside it."""
    top = y_max if y_max is not None else max(
        [v for _, pts in series for _, v in pts] or [0.0])
    top = top if top and top > 0 else 1.0
    span = (end - start) or 1.0
    inner_w, inner_h = WIDTH - 2 * PAD, HEIGHT - 2 * PAD
    lines = []
    for i, (label, pts) in enumerate(series):
        pts = sorted(pts)
        coords = " ".join(
            f"{PAD + inner_w * (t - start) / span:.1f},"
            f"{PAD + inner_h * (1 - min(max(v / top, 0.0), 1.0)):.1f}"
            for t, v in pts if start <= t <= end)
        lines.append(Line(label, colour(i), coords, pts[-1][1] if pts else None))
    return LineChart(title, lines, top, start_label, end_label)


@dataclass
class Segment:
    label: str
    colour: str
    x: float
    width: float
    value: float


@dataclass
class StackedBar:
    segments: list
    total: float
    scale: float            # what the full width stands for
    limit_x: float | None   # where the global limit is drawn
    soft_x: float | None    # where the soft limit is drawn
    width: int = 400


def stacked_bar(parts: list[tuple[str, float]], limit: float | None,
                soft: float | None = None, width: int = 400) -> StackedBar:
    """Usage per region side by side; the bar's scale is the larger of the limit and the
    total, so an overshoot shows past the limit marker. A limit of None or -1: unlimited."""
    total = sum(max(v, 0) for _, v in parts)
    has_limit = limit is not None and limit >= 0
    has_soft = soft is not None and soft >= 0
    scale = max(total, limit if has_limit else 0, soft if has_soft else 0) or 1.0
    x, segments = 0.0, []
    for i, (label, value) in enumerate(parts):
        w = width * max(value, 0) / scale
        segments.append(Segment(label, colour(i), x, w, value))
        x += w
    return StackedBar(segments, total, scale,
                      width * limit / scale if has_limit else None,
                      width * soft / scale if has_soft else None, width)
