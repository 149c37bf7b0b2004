"""Which Keystone trusts Albatross holds, and for what: a trust is deleted with its owner."""
import datetime
from dataclasses import dataclass

from sqlalchemy import delete, select, update

from albatross.db.engine import read_scope, session_scope
from albatross.db.models import Trust, utcnow


@dataclass(frozen=True)
class TrustGrant:
    """A trust made for a piece of work; `owned`: the work's own, deleted when it ends
    (a job made by a policy or a rollout acts through the owner's trust instead)."""
    id: str
    user_id: str
    project_id: str
    expires_at: datetime.datetime | None = None
    owned: bool = True

    def row(self, owner_kind: str, owner_id: str) -> Trust:
        return Trust(id=self.id, project_id=self.project_id, user_id=self.user_id,
                     owner_kind=owner_kind, owner_id=owner_id, created_at=utcnow(),
                     expires_at=self.expires_at)


class TrustStore:
    def __init__(self, db_url: str):
        self.db_url = db_url

    def add(self, grant: TrustGrant, owner_kind: str, owner_id: str) -> None:
        with session_scope(self.db_url) as s:
            s.add(grant.row(owner_kind, owner_id))

    def get(self, trust_id: str) -> Trust | None:
        with read_scope(self.db_url) as s:
            return s.get(Trust, trust_id)

    def owned_by(self, owner_kind: str, owner_id: str) -> list[Trust]:
        with session_scope(self.db_url) as s:
            return list(s.scalars(select(Trust).where(Trust.owner_kind == owner_kind,
                                                      Trust.owner_id == owner_id)))

    def forget(self, trust_id: str, owner_kind: str | None = None,
               owner_id: str | None = None) -> bool:
        """Drop the row (only if `owner` holds it, when given); True if this call did."""
        q = delete(Trust).where(Trust.id == trust_id)
        if owner_kind is not None:
            q = q.where(Trust.owner_kind == owner_kind, Trust.owner_id == owner_id)
        with session_scope(self.db_url) as s:
            return s.execute(q).rowcount == 1

    def reassign(self, trust_id: str, owner_kind: str, owner_id: str) -> None:
        with session_scope(self.db_url) as s:
            s.execute(update(Trust).where(Trust.id == trust_id)
                      .values(owner_kind=owner_kind, owner_id=owner_id))

    def all(self, limit: int = 1000) -> list[Trust]:
        with session_scope(self.db_url) as s:
            return list(s.scalars(select(Trust).order_by(Trust.created_at).limit(limit)))
