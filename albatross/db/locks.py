"""Named leases in the database: the only lock every worker on every host can see."""
import datetime

from sqlalchemy import delete, update
from sqlalchemy.exc import IntegrityError

from albatross.db.engine import session_scope
from albatross.db.models import SyncLock, utcnow


def acquire(db_url: str, name: str, owner: str, ttl: float) -> bool:
    """Take `name` if it is free, expired, or already ours."""
    now = utcnow()
    expires = now + datetime.timedelta(seconds=ttl)
    with session_scope(db_url) as s:
        res = s.execute(update(SyncLock).where(
            SyncLock.name == name,
            (SyncLock.expires_at < now) | (SyncLock.owner == owner))
            .values(owner=owner, expires_at=expires))
        if res.rowcount == 1:
            return True
    try:
        with session_scope(db_url) as s:
            s.add(SyncLock(name=name, owner=owner, expires_at=expires))
        return True
    except IntegrityError:
        return False


def release(db_url: str, name: str, owner: str) -> None:
    with session_scope(db_url) as s:
        s.execute(delete(SyncLock).where(SyncLock.name == name, SyncLock.owner == owner))


def holder(db_url: str, name: str) -> str | None:
    """Who holds `name` now (None when free or expired)."""
    with session_scope(db_url) as s:
        lock = s.get(SyncLock, name)
        return lock.owner if lock is not None and lock.expires_at >= utcnow() else None
