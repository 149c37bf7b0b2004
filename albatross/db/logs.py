"""Shipped service log lines, with every request id a line names in a side table (a line may
name a global and a local request id), so that one request can be followed across regions."""
import dataclasses
import datetime

from sqlalchemy import (JSON, BigInteger, ForeignKey, Index, Integer, String, Text,
                        UniqueConstraint, and_, delete, insert, or_, select)
from sqlalchemy.dialects import mysql
from sqlalchemy.orm import Mapped, mapped_column

from albatross.db import fulltext
from albatross.db.engine import session_scope
from albatross.db.models import Base, Timestamp, utcnow

# SQLite needs INTEGER for a rowid alias (FTS5 external content keys on it)
LineId = BigInteger().with_variant(Integer(), "sqlite")
# MariaDB's TEXT holds 64 KiB: a 32768-character line of 3-byte characters is more
LongText = Text().with_variant(mysql.MEDIUMTEXT(), "mysql", "mariadb")
LEVELS = ("TRACE", "DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
TEXT = fulltext.FullText("log_lines", ("message",))
_KEY_CHUNK = 500


class LogLine(Base):
    __tablename__ = "log_lines"
    __table_args__ = (Index("ix_log_lines_time", "time", "id"),
                      Index("ix_log_lines_source", "region", "service", "time"),
                      Index("ix_log_lines_received", "received_at", "id"),
                      UniqueConstraint("dedup_key", name="uq_log_lines_dedup_key"))

    id: Mapped[int] = mapped_column(LineId, primary_key=True, autoincrement=True)
    time: Mapped[datetime.datetime] = mapped_column(Timestamp)
    received_at: Mapped[datetime.datetime] = mapped_column(Timestamp, default=utcnow)
    region: Mapped[str] = mapped_column(String(128))
    service: Mapped[str] = mapped_column(String(64))
    host: Mapped[str] = mapped_column(String(255))
    level: Mapped[str] = mapped_column(String(16))
    logger: Mapped[str | None] = mapped_column(String(255), nullable=True)
    pid: Mapped[int | None] = mapped_column(Integer, nullable=True)
    message: Mapped[str] = mapped_column(LongText)
    request_ids: Mapped[str | None] = mapped_column(String(1024), nullable=True)  # for display
    raw: Mapped[str | None] = mapped_column(LongText, nullable=True)
    extra: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    # set by shippers that resend (the agent): a line already stored under it is skipped
    dedup_key: Mapped[str | None] = mapped_column(String(128), nullable=True)


class LogRequestId(Base):
    __tablename__ = "log_request_ids"
    __table_args__ = (Index("ix_log_request_ids_request", "request_id", "log_id"),)

    log_id: Mapped[int] = mapped_column(LineId, ForeignKey("log_lines.id", ondelete="CASCADE"),
                                        primary_key=True)
    request_id: Mapped[str] = mapped_column(String(64), primary_key=True)


@dataclasses.dataclass
class LogFilter:
    region: str | None = None
    service: str | None = None
    host: str | None = None
    levels: tuple[str, ...] | None = None
    start: datetime.datetime | None = None
    end: datetime.datetime | None = None
    request_id: str | None = None
    q: str | None = None

    def conditions(self, frequent: bool = False) -> list:
        out = [getattr(LogLine, name) == value for name in ("region", "service", "host")
               if (value := getattr(self, name)) is not None]
        if self.levels:
            out.append(LogLine.level.in_(self.levels))
        if self.start:
            out.append(LogLine.time >= self.start)
        if self.end:
            out.append(LogLine.time < self.end)
        if self.request_id:
            out.append(LogLine.id.in_(select(LogRequestId.log_id).where(
                LogRequestId.request_id == self.request_id)))
        if self.q:
            out.append(TEXT.match(self.q, LogLine.__table__, frequent))
        return out


def as_dict(line: LogLine) -> dict:
    return {"id": line.id, "time": line.time.isoformat() + "Z", "region": line.region,
            "service": line.service, "host": line.host, "level": line.level,
            "logger": line.logger, "pid": line.pid, "message": line.message,
            "request_ids": line.request_ids.split() if line.request_ids else [],
            "raw": line.raw if line.raw is not None else line.message,
            "extra": line.extra or {}}


def _shown(request_ids: list[str]) -> str | None:
    """The ids shown with the line: as many as the column holds (the side table has all)."""
    shown = " ".join(request_ids)
    return (shown[:shown.rfind(" ", 0, 1025)] if len(shown) > 1024 else shown) or None


class LogStore:
    def __init__(self, db_url: str):
        self.db_url = db_url

    def insert(self, lines: list[dict]) -> tuple[int, int]:
        """Store lines (LogLine fields plus `request_ids`, a list); returns (stored,
        duplicates): a line whose key is already stored, or repeated in the batch, is not."""
        with session_scope(self.db_url) as s:
            keys = [line["dedup_key"] for line in lines if line.get("dedup_key")]
            seen = set()
            for i in range(0, len(keys), _KEY_CHUNK):
                seen.update(s.scalars(select(LogLine.dedup_key).where(
                    LogLine.dedup_key.in_(keys[i:i + _KEY_CHUNK]))))
            fresh = []
            for line in lines:
                if line.get("dedup_key"):
                    if line["dedup_key"] in seen:
                        continue
                    seen.add(line["dedup_key"])
                fresh.append(line)
            if not fresh:
                return 0, len(lines)
            now = utcnow()
            rows = [{**{k: v for k, v in line.items() if k != "request_ids"},
                     "request_ids": _shown(line["request_ids"]), "received_at": now}
                    for line in fresh]
            ids = s.scalars(insert(LogLine).returning(LogLine.id, sort_by_parameter_order=True),
                            rows).all()
            refs = [{"log_id": i, "request_id": r} for i, line in zip(ids, fresh)
                    for r in dict.fromkeys(line["request_ids"])]
            if refs:
                s.execute(insert(LogRequestId), refs)
        return len(fresh), len(lines) - len(fresh)

    def search(self, filters: LogFilter, limit: int,
               after: tuple[datetime.datetime, int] | None = None) -> list[dict]:
        """Newest first; `after` (time, id) of the last line of the previous page: the order
        is total, so a line stored meanwhile never shifts a page."""
        with session_scope(self.db_url) as s:
            frequent = bool(filters.q) and TEXT.is_frequent(s, filters.q)
            q = select(LogLine).where(*filters.conditions(frequent))
            if after is not None:
                q = q.where(or_(LogLine.time < after[0],
                                and_(LogLine.time == after[0], LogLine.id < after[1])))
            q = q.order_by(LogLine.time.desc(), LogLine.id.desc()).limit(limit)
            return [as_dict(line) for line in s.scalars(q)]

    def received_since(self, filters: LogFilter, after: tuple[datetime.datetime, int],
                       limit: int) -> list[dict]:
        """Lines received after `after` (received_at, id), in that order, with their
        received_at (for a live tail: few rows, so the full text is a filter, not a driver)."""
        q = select(LogLine).where(
            or_(LogLine.received_at > after[0],
                and_(LogLine.received_at == after[0], LogLine.id > after[1])),
            *filters.conditions(frequent=True)).order_by(LogLine.received_at, LogLine.id) \
            .limit(limit)
        with session_scope(self.db_url) as s:
            return [{**as_dict(line), "received_at": line.received_at} for line in s.scalars(q)]

    def received_at(self, line_id: int) -> datetime.datetime | None:
        with session_scope(self.db_url) as s:
            return s.scalar(select(LogLine.received_at).where(LogLine.id == line_id))

    def purge(self, before: datetime.datetime, batch: int = 5000) -> int:
        """Delete lines older than `before`, in short transactions (writers keep going)."""
        total = 0
        while True:
            with session_scope(self.db_url) as s:
                ids = list(s.scalars(select(LogLine.id).where(LogLine.time < before)
                                     .limit(batch)))
                if ids:
                    s.execute(delete(LogLine).where(LogLine.id.in_(ids)))
            total += len(ids)
            if len(ids) < batch:
                return total
