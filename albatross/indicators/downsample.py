"""Downsampling. Raw samples become per-step buckets of (count, sum, min, max), and buckets
become coarser buckets the same way: a bucket keeps the sum and the count rather than the
mean, so merging is exact (the mean of any bucket is its sum over its count, however many
levels it went through) and the minimum and maximum survive every level.

Rolling up runs in passes over [mark, limit): `mark` is where the level's last pass ended
(its watermark), `limit` the start of the first bucket that may still receive points. The
windows of successive passes touch but never overlap, so every point is counted in exactly
one bucket of each level, once."""
import math
from dataclasses import dataclass
from typing import Iterable

# steps offered when the caller gives none: the first giving at most MAX_DEFAULT_POINTS
NICE_STEPS = (60, 300, 900, 3600, 6 * 3600, 86400, 7 * 86400)
MAX_DEFAULT_POINTS = 300


@dataclass(frozen=True)
class Bucket:
    start: float   # epoch seconds: where the bucket begins, or a raw sample's time
    count: int
    total: float
    low: float
    high: float

    @classmethod
    def sample(cls, ts: float, value: float) -> "Bucket":
        return cls(ts, 1, value, value, value)

    @property
    def mean(self) -> float:
        return self.total / self.count


def bucket_start(ts: float, step: int) -> int:
    return math.floor(ts / step) * step


def merge(a: Bucket, b: Bucket) -> Bucket:
    return Bucket(a.start, a.count + b.count, a.total + b.total, min(a.low, b.low),
                  max(a.high, b.high))


def rollup(points: Iterable[Bucket], step: int) -> list[Bucket]:
    """The points (raw samples or finer buckets) of one series in buckets of `step` seconds,
    oldest first. A finer bucket lands whole in the coarser bucket holding its start: the
    caller keeps `step` a multiple of the finer step."""
    acc: dict[int, Bucket] = {}
    for p in points:
        start = bucket_start(p.start, step)
        prev = acc.get(start)
        acc[start] = Bucket(start, p.count, p.total, p.low, p.high) if prev is None \
            else merge(prev, p)
    return [acc[k] for k in sorted(acc)]


def closed_before(now: float, step: int, grace: float) -> int:
    """Buckets starting before this are complete: no round still running (one started up to
    `grace` seconds ago) can add a sample to them."""
    return bucket_start(now - grace, step)


def next_window(mark: float | None, first: float | None, limit: float, step: int,
                max_buckets: int) -> tuple[int, int] | None:
    """The next pass of a level: [lo, hi) in whole buckets, at most `max_buckets` of them, or
    None when nothing is due. `mark`: where the last pass ended (None before the first
    one, which then starts at the bucket of the oldest point, `first`; None without any)."""
    if mark is None:
        if first is None:
            return None
        mark = bucket_start(first, step)
    hi = min(bucket_start(limit, step), int(mark) + max_buckets * step)
    return (int(mark), hi) if hi > mark else None


@dataclass(frozen=True)
class Source:
    """A stored level: raw samples (step 0) or the rollups of one step, kept since
    `kept_from` (epoch seconds)."""
    step: int
    kept_from: float


def choose_source(sources: list[Source], start: float, step: int) -> Source:
    """The best resolution that can answer: the finest level whose buckets fit whole in the
    requested step and that still holds data from `start`; when none reaches that far back,
    the fitting level kept longest. Raw samples fit any step."""
    fitting = [s for s in sources if s.step == 0 or step % s.step == 0]
    covering = [s for s in fitting if s.kept_from <= start]
    if covering:
        return min(covering, key=lambda s: s.step)
    return min(fitting, key=lambda s: s.kept_from)


def default_step(start: float, end: float, floor: int) -> int:
    """A round step giving at most MAX_DEFAULT_POINTS points, never finer than `floor` (the
    collection interval: a finer step only makes empty buckets)."""
    span = max(end - start, 1)
    for step in NICE_STEPS:
        if step >= floor and span / step <= MAX_DEFAULT_POINTS:
            return step
    return max(NICE_STEPS[-1], floor)
