"""Sync policies and the drift events their audits record."""
import datetime

from sqlalchemy import and_, delete, func, or_, select, update

from albatross.db.engine import read_scope, session_scope
from albatross.db.models import DriftEvent, SyncPolicy, Task, utcnow


def is_due(policy: SyncPolicy, now: datetime.datetime) -> bool:
    """Enabled, and its last audit is older than its interval."""
    return policy.enabled and (policy.last_audit_at is None or now - policy.last_audit_at
                               >= datetime.timedelta(seconds=policy.interval))


class PolicyStore:
    def __init__(self, db_url: str):
        self.db_url = db_url

    def create(self, **fields) -> SyncPolicy:
        with session_scope(self.db_url) as s:
            policy = SyncPolicy(**fields)
            s.add(policy)
            s.flush()
            return policy

    def get(self, policy_id: str) -> SyncPolicy | None:
        with read_scope(self.db_url) as s:
            return s.get(SyncPolicy, policy_id)

    def find(self, project_id: str | None, limit: int | None = None,
             marker: str | None = None) -> list[SyncPolicy]:
        """Oldest first; a page of `limit` after the policy `marker`."""
        with session_scope(self.db_url) as s:
            q = select(SyncPolicy).order_by(SyncPolicy.created_at, SyncPolicy.id)
            if project_id is not None:
                q = q.where(SyncPolicy.project_id == project_id)
            m = s.get(SyncPolicy, marker) if marker else None
            if m is not None:
                q = q.where(or_(SyncPolicy.created_at > m.created_at,
                                and_(SyncPolicy.created_at == m.created_at,
                                     SyncPolicy.id > m.id)))
            return list(s.scalars(q.limit(limit) if limit else q))

    def count(self, project_id: str) -> int:
        with session_scope(self.db_url) as s:
            return s.scalar(select(func.count()).select_from(SyncPolicy)
                            .where(SyncPolicy.project_id == project_id))

    def delete(self, policy_id: str) -> bool:
        with session_scope(self.db_url) as s:
            return s.execute(delete(SyncPolicy).where(SyncPolicy.id == policy_id)).rowcount == 1

    def due(self, now: datetime.datetime | None = None) -> list[SyncPolicy]:
        """Enabled policies whose last audit is older than their interval."""
        now = now or utcnow()
        return [p for p in self.find(None) if is_due(p, now)]

    def delegate(self, policy_id: str, trust_id: str, user_id: str) -> None:
        """The policy acts through this trust of this user from now on (enabled again)."""
        with session_scope(self.db_url) as s:
            s.execute(update(SyncPolicy).where(SyncPolicy.id == policy_id)
                      .values(trust_id=trust_id, user_id=user_id, enabled=True))

    def disable(self, policy_id: str, event) -> bool:
        """Stop an enabled policy, with `event` (why) in the same transaction; False if it
        was stopped already (the event is not written twice)."""
        with session_scope(self.db_url) as s:
            stopped = s.execute(update(SyncPolicy).where(SyncPolicy.id == policy_id,
                                                         SyncPolicy.enabled.is_(True))
                                .values(enabled=False)).rowcount
            if stopped:
                s.add(event)
            return bool(stopped)

    def claim_audit(self, policy_id: str, last_audit_at: datetime.datetime | None) -> bool:
        """Compare-and-set on last_audit_at: of several servers, one starts the audit."""
        with session_scope(self.db_url) as s:
            res = s.execute(update(SyncPolicy).where(
                SyncPolicy.id == policy_id,
                (SyncPolicy.last_audit_at == last_audit_at) if last_audit_at
                else SyncPolicy.last_audit_at.is_(None)).values(last_audit_at=utcnow()))
            return res.rowcount == 1

    def mark_audited(self, policy_id: str, job_id: str) -> None:
        with session_scope(self.db_url) as s:
            s.execute(update(SyncPolicy).where(SyncPolicy.id == policy_id)
                      .values(last_audit_at=utcnow(), last_job_id=job_id))


def record_drift(db_url: str, *, project_id: str, policy_id: str | None, task_id: str,
                 region: str, resource_type: str, items: list[dict], repaired: bool) -> None:
    """One row per difference found; `items` are Drift.to_dict() values."""
    if not items:
        return
    with session_scope(db_url) as s:
        job_id = s.scalar(select(Task.job_id).where(Task.id == task_id))
        s.add_all([DriftEvent(project_id=project_id, policy_id=policy_id, job_id=job_id,
                              region=region, resource_type=d.get("resource_type") or
                              resource_type, resource=d["name"][:255], kind=d["kind"],
                              detail=d.get("detail"), repaired=repaired and d.get("repairable",
                                                                                  True))
                   for d in items])


def record_unreachable(db_url: str, *, project_id: str, policy_id: str | None, task_id: str,
                       region: str, resource_type: str, message: str) -> None:
    """A region an audit could not reach: once per job, however many attempts it takes."""
    with session_scope(db_url) as s:
        job_id = s.scalar(select(Task.job_id).where(Task.id == task_id))
        seen = s.scalar(select(DriftEvent.id).where(
            DriftEvent.job_id == job_id, DriftEvent.region == region,
            DriftEvent.kind == "unreachable"))
        if seen is None:
            s.add(DriftEvent(project_id=project_id, policy_id=policy_id, job_id=job_id,
                             region=region, resource_type=resource_type, resource="*",
                             kind="unreachable", detail=message[:1000], repaired=False))


def list_drift(db_url: str, *, project_id: str | None, policy_id: str | None = None,
               region: str | None = None, resource_types: list[str] | None = None,
               limit: int = 100, marker: int | None = None) -> list[DriftEvent]:
    """Newest first."""
    with session_scope(db_url) as s:
        q = select(DriftEvent).order_by(DriftEvent.id.desc())
        if project_id is not None:
            q = q.where(DriftEvent.project_id == project_id)
        if policy_id is not None:
            q = q.where(DriftEvent.policy_id == policy_id)
        if region is not None:
            q = q.where(DriftEvent.region == region)
        if resource_types:
            q = q.where(DriftEvent.resource_type.in_(resource_types))
        if marker is not None:
            q = q.where(DriftEvent.id < marker)
        return list(s.scalars(q.limit(limit)))
