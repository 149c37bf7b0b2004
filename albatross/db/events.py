"""Events: notifications from the regions and the audit trail, searchable by full text."""
import base64
import datetime
import json

from sqlalchemy import JSON, Index, Integer, String, Text, and_, delete, or_, select
from sqlalchemy.orm import Mapped, mapped_column

from albatross.db import fulltext
from albatross.db.engine import session_scope
from albatross.db.models import Base, Timestamp, utcnow

SEARCH = fulltext.FullText("events", ("summary",))


class Event(Base):
    __tablename__ = "events"
    __table_args__ = (Index("ix_events_project_time", "project_id", "time"),
                      Index("ix_events_time", "time"),
                      Index("ix_events_request_id", "request_id"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    time: Mapped[datetime.datetime] = mapped_column(Timestamp, default=utcnow)
    region: Mapped[str] = mapped_column(String(128))
    service: Mapped[str] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(String(16))  # notification | audit
    event_type: Mapped[str] = mapped_column(String(255))
    project_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    user_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    request_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    resource_id: Mapped[str | None] = mapped_column(String(255), nullable=True)
    summary: Mapped[str] = mapped_column(Text)
    payload: Mapped[dict] = mapped_column(JSON)


def encode_cursor(event: Event) -> str:
    raw = json.dumps([event.time.isoformat(), event.id]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime.datetime, int]:
    """ValueError for anything that is not a cursor this server made."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        when, event_id = json.loads(base64.urlsafe_b64decode(padded.encode()))
        return datetime.datetime.fromisoformat(when), int(event_id)
    except Exception as exc:
        raise ValueError("not a cursor from this API") from exc


def lost_event(*, project_id: str, user_id: str, resource_id: str, summary: str,
               payload: dict, request_id: str | None = None) -> Event:
    """The audit event of work that stopped because its user's authority is gone."""
    return Event(time=utcnow(), region="albatross", service="albatross", source="audit",
                 event_type="albatross.delegation.lost", project_id=project_id,
                 user_id=user_id, resource_id=resource_id, request_id=request_id,
                 summary=summary, payload=payload)


class EventStore:
    def __init__(self, db_url: str):
        self.db_url = db_url

    def add(self, **fields) -> int:
        return self.insert(Event(**fields))

    def insert(self, event: Event) -> int:
        with session_scope(self.db_url) as s:
            s.add(event)
            s.flush()
            return event.id

    def search(self, *, project_id: str | None, region=None, service=None, source=None,
               event_type=None, request_id=None, start=None, end=None, q=None, cursor=None, after_id=None,
               limit: int = 100) -> list[Event]:
        """Newest first (time, then id), `cursor` continuing a page; `after_id` instead gives
        events newer than that id, oldest first (the live tail)."""
        with session_scope(self.db_url) as s:
            query = select(Event)
            for column, value in ((Event.project_id, project_id), (Event.region, region),
                                  (Event.service, service), (Event.source, source),
                                  (Event.event_type, event_type),
                                  (Event.request_id, request_id)):
                if value is not None:
                    query = query.where(column == value)
            if start is not None:
                query = query.where(Event.time >= start)
            if end is not None:
                query = query.where(Event.time < end)
            if q:
                query = query.where(SEARCH.match(q))
            if after_id is not None:
                return list(s.scalars(query.where(Event.id > after_id)
                                      .order_by(Event.id).limit(limit)))
            if cursor is not None:
                when, last = decode_cursor(cursor)
                query = query.where(or_(Event.time < when,
                                        and_(Event.time == when, Event.id < last)))
            return list(s.scalars(query.order_by(Event.time.desc(), Event.id.desc())
                                  .limit(limit)))

    def last_id(self) -> int:
        with session_scope(self.db_url) as s:
            return s.scalar(select(Event.id).order_by(Event.id.desc()).limit(1)) or 0

    def purge(self, older_than: datetime.datetime) -> int:
        with session_scope(self.db_url) as s:
            return s.execute(delete(Event).where(Event.time < older_than)).rowcount
