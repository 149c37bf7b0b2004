"""Indicator time series: one row per series (with its last value, so the summary and
/metrics read one small table), raw samples, rollups per step (count, sum, min, max of each
bucket) with each level's watermark, and every region's status in its last round."""
import datetime

from sqlalchemy import (Boolean, Double, ForeignKey, Index, Integer, String, Text,
                        UniqueConstraint, delete, func, insert, select, update)
from sqlalchemy.orm import Mapped, mapped_column

from albatross.db.engine import read_scope, session_scope
from albatross.db.models import Base, Timestamp
from albatross.indicators.downsample import (Bucket, bucket_start, closed_before, next_window,
                                             rollup)
from albatross.indicators.samples import Sample
from albatross.indicators.summary import Last, Status

EPOCH = datetime.datetime(1970, 1, 1)
# at most this many buckets per rollup pass and transaction: a level that fell behind
# (after downtime) catches up in several passes with bounded memory
MAX_BUCKETS_PER_PASS = 100


def to_epoch(value: datetime.datetime) -> float:
    return (value - EPOCH).total_seconds()


def from_epoch(seconds: float) -> datetime.datetime:
    return EPOCH + datetime.timedelta(seconds=seconds)


class IndicatorSeries(Base):
    __tablename__ = "indicator_series"
    __table_args__ = (UniqueConstraint("name", "region", "project_id", "key",
                                       name="uq_indicator_series"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(64))
    region: Mapped[str] = mapped_column(String(128))
    project_id: Mapped[str] = mapped_column(String(64))   # "" unless a project's series
    key: Mapped[str] = mapped_column(String(64))          # service, resource class, kind...
    last_value: Mapped[float | None] = mapped_column(Double, nullable=True)
    last_at: Mapped[datetime.datetime | None] = mapped_column(Timestamp, nullable=True)


class IndicatorSample(Base):
    __tablename__ = "indicator_samples"
    __table_args__ = (Index("ix_indicator_samples_ts", "ts"),)

    series_id: Mapped[int] = mapped_column(ForeignKey("indicator_series.id"), primary_key=True)
    ts: Mapped[datetime.datetime] = mapped_column(Timestamp, primary_key=True)
    value: Mapped[float] = mapped_column(Double)


class IndicatorRollup(Base):
    __tablename__ = "indicator_rollups"
    __table_args__ = (Index("ix_indicator_rollups_step_ts", "step", "ts"),)

    series_id: Mapped[int] = mapped_column(ForeignKey("indicator_series.id"), primary_key=True)
    step: Mapped[int] = mapped_column(Integer, primary_key=True)
    ts: Mapped[datetime.datetime] = mapped_column(Timestamp, primary_key=True)
    samples: Mapped[int] = mapped_column(Integer)
    total: Mapped[float] = mapped_column(Double)
    low: Mapped[float] = mapped_column(Double)
    high: Mapped[float] = mapped_column(Double)


class IndicatorRollupMark(Base):
    """How far a rollup level has rolled: every point before `rolled_until` is in exactly
    one of its buckets, and nothing at or after it is."""
    __tablename__ = "indicator_rollup_marks"

    step: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    rolled_until: Mapped[datetime.datetime] = mapped_column(Timestamp)


class IndicatorRegion(Base):
    """A region's last round: up when every read answered, else why not; `since` is when
    the status last changed."""
    __tablename__ = "indicator_regions"

    region: Mapped[str] = mapped_column(String(128), primary_key=True)
    up: Mapped[bool] = mapped_column(Boolean)
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    checked_at: Mapped[datetime.datetime] = mapped_column(Timestamp)
    since: Mapped[datetime.datetime] = mapped_column(Timestamp)


class IndicatorStore:
    def __init__(self, db_url: str):
        self.db_url = db_url

    # ---- writing a round ------------------------------------------------------------------
    def write_round(self, ts: datetime.datetime, samples: list[Sample],
                    reasons: dict[str, str | None]) -> list[str]:
        """The round's samples (all at `ts`) and each region's status, in one transaction;
        returns the regions whose status changed (a region seen first counts if down)."""
        changed = []
        with session_scope(self.db_url) as s:
            ids = {(r.name, r.region, r.project_id, r.key): r.id
                   for r in s.scalars(select(IndicatorSeries))}
            for sample in samples:
                key = sample[:4]
                if key not in ids:
                    row = IndicatorSeries(name=sample.name, region=sample.region,
                                          project_id=sample.project_id, key=sample.key)
                    s.add(row)
                    s.flush()
                    ids[key] = row.id
            if samples:
                s.execute(insert(IndicatorSample), [
                    {"series_id": ids[x[:4]], "ts": ts, "value": x.value} for x in samples])
                s.execute(update(IndicatorSeries), [
                    {"id": ids[x[:4]], "last_value": x.value, "last_at": ts} for x in samples])
            for region, reason in reasons.items():
                row = s.get(IndicatorRegion, region)
                up = reason is None
                if row is None:
                    s.add(IndicatorRegion(region=region, up=up, reason=reason, checked_at=ts,
                                          since=ts))
                    if not up:
                        changed.append(region)
                    continue
                if row.up != up:
                    row.since = ts
                    changed.append(region)
                row.up, row.reason, row.checked_at = up, reason, ts
        return changed

    # ---- rollups and retention ------------------------------------------------------------
    def maintain(self, now: datetime.datetime, grace: float, raw_retention: int,
                 levels: list[tuple[int, int]]) -> None:
        """Roll every level up as far as it can go (each from the level below: raw samples,
        then the finer rollups), then drop what is past its retention, but never points the
        next level has not rolled up yet."""
        t = to_epoch(now)
        finer = 0
        for step, _keep in levels:
            while self._roll(step, finer, t, grace):
                pass
            finer = step
        marks = self.marks()
        # (level, retention), the raw samples (0) first: a level's points may go once they
        # are past its retention and the next level holds them
        chain = [(0, raw_retention)] + levels
        with session_scope(self.db_url) as s:
            for i, (level, keep) in enumerate(chain):
                cut = t - keep
                if i + 1 < len(chain):
                    rolled = marks.get(chain[i + 1][0])
                    if rolled is None:
                        continue  # nothing rolled up from this level yet: keep it all
                    cut = min(cut, rolled)
                if level == 0:
                    s.execute(delete(IndicatorSample).where(
                        IndicatorSample.ts < from_epoch(cut)))
                else:
                    s.execute(delete(IndicatorRollup).where(
                        IndicatorRollup.step == level, IndicatorRollup.ts < from_epoch(cut)))

    def _roll(self, step: int, finer: int, now: float, grace: float) -> bool:
        """One pass of the `step` level from the `finer` one (0: raw samples), in one
        transaction with its watermark; True when it stopped short of what is due."""
        with session_scope(self.db_url) as s:
            mark_row = s.get(IndicatorRollupMark, step, with_for_update=True)
            mark = to_epoch(mark_row.rolled_until) if mark_row else None
            if finer == 0:
                limit = closed_before(now, step, grace)
                oldest = select(func.min(IndicatorSample.ts))
            else:
                below = s.get(IndicatorRollupMark, finer)
                if below is None:
                    return False
                limit = to_epoch(below.rolled_until)
                oldest = select(func.min(IndicatorRollup.ts)).where(IndicatorRollup.step == finer)
            first = s.scalar(oldest) if mark is None else None
            window = next_window(mark, to_epoch(first) if first else None, limit, step,
                                 MAX_BUCKETS_PER_PASS)
            if window is None:
                return False
            lo, hi = window
            rows = [{"series_id": sid, "step": step, "ts": from_epoch(b.start),
                     "samples": b.count, "total": b.total, "low": b.low, "high": b.high}
                    for sid, points in self._points(s, finer, None, lo, hi).items()
                    for b in rollup(points, step)]
            if rows:
                s.execute(insert(IndicatorRollup), rows)
            if mark_row is None:
                s.add(IndicatorRollupMark(step=step, rolled_until=from_epoch(hi)))
            else:
                mark_row.rolled_until = from_epoch(hi)
            return hi < bucket_start(limit, step)

    @staticmethod
    def _points(s, level: int, series_ids: list[int] | None, lo: float,
                hi: float) -> dict[int, list[Bucket]]:
        """{series id: points in [lo, hi)} of a level (0: raw samples as one-point buckets)."""
        out: dict[int, list[Bucket]] = {}
        if level == 0:
            q = select(IndicatorSample.series_id, IndicatorSample.ts, IndicatorSample.value) \
                .where(IndicatorSample.ts >= from_epoch(lo), IndicatorSample.ts < from_epoch(hi))
            if series_ids is not None:
                q = q.where(IndicatorSample.series_id.in_(series_ids))
            for sid, ts, value in s.execute(q):
                out.setdefault(sid, []).append(Bucket.sample(to_epoch(ts), value))
            return out
        r = IndicatorRollup
        q = select(r.series_id, r.ts, r.samples, r.total, r.low, r.high).where(
            r.step == level, r.ts >= from_epoch(lo), r.ts < from_epoch(hi))
        if series_ids is not None:
            q = q.where(r.series_id.in_(series_ids))
        for sid, ts, n, total, low, high in s.execute(q):
            out.setdefault(sid, []).append(Bucket(to_epoch(ts), n, total, low, high))
        return out

    # ---- reading ----------------------------------------------------------------------------
    def marks(self) -> dict[int, float]:
        """{step: epoch seconds up to which that level has rolled}"""
        with session_scope(self.db_url) as s:
            return {m.step: to_epoch(m.rolled_until) for m in s.scalars(
                select(IndicatorRollupMark))}

    def series(self, names: list[str] | None = None, region: str | None = None,
               project_id: str | None = None) -> list[IndicatorSeries]:
        with session_scope(self.db_url) as s:
            q = select(IndicatorSeries)
            if names is not None:
                q = q.where(IndicatorSeries.name.in_(names))
            if region is not None:
                q = q.where(IndicatorSeries.region == region)
            if project_id is not None:
                q = q.where(IndicatorSeries.project_id == project_id)
            return list(s.scalars(q.order_by(IndicatorSeries.name, IndicatorSeries.region,
                                             IndicatorSeries.project_id, IndicatorSeries.key)))

    def points(self, level: int, series_ids: list[int], lo: float,
               hi: float) -> dict[int, list[Bucket]]:
        with session_scope(self.db_url) as s:
            return self._points(s, level, series_ids, lo, hi)

    def last_values(self, since: datetime.datetime | None = None) -> list[IndicatorSeries]:
        """Series with a last value (from `since` on, when given)."""
        with session_scope(self.db_url) as s:
            q = select(IndicatorSeries).where(IndicatorSeries.last_at.is_not(None))
            if since is not None:
                q = q.where(IndicatorSeries.last_at >= since)
            return list(s.scalars(q))

    def last(self) -> list[Last]:
        return [Last(r.name, r.region, r.key, r.last_value, r.last_at)
                for r in self.last_values() if not r.project_id]

    def round_times(self) -> list[datetime.datetime]:
        """When each round kept in raw samples was taken (one time per round)."""
        with read_scope(self.db_url) as s:
            return sorted(s.scalars(select(IndicatorSample.ts).distinct()))

    def statuses(self) -> list[Status]:
        with session_scope(self.db_url) as s:
            return [Status(r.region, r.up, r.reason, r.checked_at, r.since)
                    for r in s.scalars(select(IndicatorRegion))]
