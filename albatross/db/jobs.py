"""Every read and write of jobs and tasks. Claims are compare-and-set updates, so any number
of workers on any hosts can share the table without a lock service."""
import datetime
import uuid
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import and_, case, delete, func, or_, select, update

from albatross.db.engine import read_scope, session_scope
from albatross.db.events import Event
from albatross.db.models import Job, Task, utcnow
from albatross.db.trusts import TrustGrant
from albatross.events.extract import masked
from albatross.db import job_states as states
from albatross import request_ids


UNAUDITED = ("periodic", "auto")  # the service's own routine work


def audit_event(job_id, project_id, user_id, kind, origin, params, n_tasks, now,
                request_id=None) -> Event:
    """Who asked for what, kept with the regions' events (the audit trail)."""
    targets = params.get("target_regions") or params.get("regions") or ""
    return Event(time=now, region="albatross", service="albatross", source="audit",
                 event_type=f"albatross.{kind}", project_id=project_id, user_id=user_id,
                 resource_id=job_id, request_id=request_id,
                 summary=f"albatross.{kind} {origin} job {job_id} by {user_id} "
                         f"{' '.join(targets) if isinstance(targets, list) else targets}",
                 payload=masked({"job_id": job_id, "kind": kind, "origin": origin,
                                 "params": params, "tasks": n_tasks}))


@dataclass(frozen=True)
class TaskSpec:
    resource_type: str
    resource: str
    source_region: str
    target_region: str
    force: bool = False
    payload: dict | None = None


@dataclass(frozen=True)
class Claim:
    task_id: str
    owner: str


class JobStore:
    def __init__(self, db_url: str):
        self.db_url = db_url

    # ---- writing jobs -------------------------------------------------------------------
    def create_job(self, *, project_id, user_id, kind, params, tasks: list[TaskSpec],
                   origin="api", request_id: str | None = None,
                   trust: TrustGrant | None = None) -> tuple[str, list[str]]:
        """Job and all its tasks in one transaction and one bulk insert, before any dispatch:
        a lost broker message can delay work but never lose it.

        `request_id` (the caller's global_id) is what the tasks' region calls send; without
        one, the current API request's, else a new one: the service's own jobs (periodic,
        auto, rollout waves) are followed across the regions like any other.

        `trust`: what the tasks act through; an owned one is recorded in the same
        transaction, so it is deleted with the job."""
        request_id = (request_ids.valid(request_id) or request_ids.current()
                      or request_ids.new())
        job_id = str(uuid.uuid4())
        now = utcnow()
        shared = _shared([t.payload or {} for t in tasks])
        rows = [dict(id=str(uuid.uuid4()), job_id=job_id, seq=i, resource_type=t.resource_type,
                     resource=t.resource, source_region=t.source_region,
                     target_region=t.target_region, force=t.force,
                     payload={k: v for k, v in (t.payload or {}).items() if k not in shared},
                     status=states.QUEUED, result={}, attempts=0, not_before=now,
                     created_at=now) for i, t in enumerate(tasks)]
        with session_scope(self.db_url) as s:
            s.add(Job(id=job_id, project_id=project_id, user_id=user_id, kind=kind,
                      origin=origin, params=params, request_id=request_id,
                      trust_id=trust.id if trust else None, task_payload=shared or None,
                      created_at=now, updated_at=now))
            s.flush()
            if trust is not None and trust.owned:
                s.add(trust.row("job", job_id))
            if rows:
                s.execute(Task.__table__.insert(), rows)
            if origin not in UNAUDITED:
                s.add(audit_event(job_id, project_id, user_id, kind, origin, params,
                                  len(rows), now, request_id))
        return job_id, [r["id"] for r in rows]

    def retry_failed(self, job_id: str) -> list[str]:
        """Put a job's FAILED tasks back in the queue; returns their ids."""
        now = utcnow()
        with session_scope(self.db_url) as s:
            ids = list(s.scalars(select(Task.id).where(Task.job_id == job_id,
                                                       Task.status == states.FAILED)))
            if ids:
                s.execute(update(Task).where(Task.id.in_(ids), Task.status == states.FAILED)
                          .values(status=states.QUEUED, not_before=now, attempts=0,
                                  lease_owner=None, lease_expires_at=None, finished_at=None))
                s.execute(update(Job).where(Job.id == job_id).values(updated_at=now))
        return ids

    def set_trust(self, job_id: str, trust: TrustGrant) -> None:
        """A retry acts through the retrying caller's new trust (owned by the job)."""
        with session_scope(self.db_url) as s:
            s.execute(update(Job).where(Job.id == job_id).values(trust_id=trust.id))
            if trust.owned:
                s.add(trust.row("job", job_id))

    def trust_in_use(self, trust_id: str) -> bool:
        """Some unfinished job acts through this trust."""
        with session_scope(self.db_url) as s:
            return s.scalar(select(func.count()).select_from(Task).join(Job).where(
                Job.trust_id == trust_id,
                Task.status.in_([states.QUEUED, states.RUNNING]))) > 0

    def has_unfinished(self, job_id: str) -> bool:
        """Asked after every task: one index probe (job_id, status), not a count of the
        job's tasks (a count made a 10,000-task job quadratic)."""
        with read_scope(self.db_url) as s:
            return s.scalar(select(Task.id).where(
                Task.job_id == job_id, Task.status.in_([states.QUEUED, states.RUNNING]))
                .limit(1)) is not None

    def stop_queued(self, job_id: str, error: str) -> int:
        """Fail a job's queued tasks at once (its authority is gone: they could only fail)."""
        now = utcnow()
        with session_scope(self.db_url) as s:
            return s.execute(update(Task).where(Task.job_id == job_id,
                                                Task.status == states.QUEUED)
                             .values(status=states.FAILED, error=error, finished_at=now)).rowcount

    def delete_job(self, job_id: str) -> bool:
        with session_scope(self.db_url) as s:
            s.execute(delete(Task).where(Task.job_id == job_id))
            return s.execute(delete(Job).where(Job.id == job_id)).rowcount == 1

    # ---- leasing ---------------------------------------------------------------------------
    def _claimable(self, now):
        return or_(and_(Task.status == states.QUEUED, Task.not_before <= now),
                   and_(Task.status == states.RUNNING, Task.lease_expires_at < now))

    def unfinished_tasks(self, resource_type: str, resources: list[str]) -> list[tuple]:
        """(resource, target region, job id, job's project) of the queued or running tasks
        of these resources, whatever their job."""
        with read_scope(self.db_url) as s:
            return list(s.execute(
                select(Task.resource, Task.target_region, Job.id, Job.project_id)
                .join(Job, Job.id == Task.job_id)
                .where(Task.resource_type == resource_type, Task.resource.in_(resources),
                       Task.status.in_([states.QUEUED, states.RUNNING]))).all())

    def load_task(self, task_id: str) -> tuple[Task, Job | None]:
        """A task (its payload whole) and its job (None for a controller's work item)."""
        with read_scope(self.db_url) as s:
            task = s.get(Task, task_id)
            job = s.get(Job, task.job_id) if task.job_id else None
        return _whole(job, [task])[0], job

    def claim(self, owner: str, lease_seconds: float, task_id: str | None = None,
              limit: int = 1) -> list[Claim]:
        """Lease up to `limit` runnable tasks (or exactly `task_id`): queued ones that are due,
        and running ones whose worker stopped renewing its lease (it crashed)."""
        claims: list[Claim] = []
        now = utcnow()
        with read_scope(self.db_url) as s:
            q = select(Task.id).where(self._claimable(now)).order_by(Task.not_before, Task.seq)
            if task_id is not None:
                q = q.where(Task.id == task_id)
            candidates = list(s.scalars(q.limit(limit * 4)))
        for cid in candidates:
            if len(claims) >= limit:
                break
            with session_scope(self.db_url) as s:
                claims.extend(self._lease(s, [cid], owner, lease_seconds))
        return claims

    def _lease(self, s, ids: list[str], owner: str, lease_seconds: float) -> list[Claim]:
        """Lease each of `ids` that is still claimable, in the session's transaction (one
        statement each: its row count says whether it is ours)."""
        now, claims = utcnow(), []
        for cid in ids:
            res = s.execute(
                update(Task).where(Task.id == cid, self._claimable(now))
                .values(status=states.RUNNING, lease_owner=owner,
                        lease_expires_at=now + datetime.timedelta(seconds=lease_seconds),
                        attempts=Task.attempts + 1,
                        # a job task keeps its first start; a controller's item
                        # records each run's (its last run: started_at..finished_at)
                        started_at=case((Task.job_id.is_(None), now),
                                        else_=func.coalesce(Task.started_at, now))))
            if res.rowcount == 1:
                claims.append(Claim(cid, owner))
        return claims

    def claim_siblings(self, owner: str, lease_seconds: float, task_id: str,
                       limit: int = 500) -> list[Claim]:
        """Lease up to `limit` other runnable tasks of the same job for the same resource,
        in one transaction: a batched reconciler serves them at once (image copies from one
        read of the source, a keypair's copies to every region through the fan-out)."""
        with session_scope(self.db_url) as s:
            task = s.get(Task, task_id)
            ids = list(s.scalars(select(Task.id).where(
                Task.job_id == task.job_id, Task.resource_type == task.resource_type,
                Task.resource == task.resource, Task.id != task_id,
                self._claimable(utcnow())).order_by(Task.seq).limit(limit)))
            return self._lease(s, ids, owner, lease_seconds)

    def progress(self, claim: Claim, result: dict) -> None:
        """A running task's partial result (e.g. bytes copied), while we hold its lease."""
        with session_scope(self.db_url) as s:
            s.execute(update(Task).where(Task.id == claim.task_id,
                                         Task.lease_owner == claim.owner,
                                         Task.status == states.RUNNING).values(result=result))

    def renew(self, claims: list[Claim], lease_seconds: float) -> None:
        now = utcnow()
        with session_scope(self.db_url) as s:
            for c in claims:
                s.execute(update(Task).where(Task.id == c.task_id, Task.lease_owner == c.owner,
                                             Task.status == states.RUNNING)
                          .values(lease_expires_at=now + datetime.timedelta(
                              seconds=lease_seconds)))

    def finish(self, claim: Claim, status: str, *, error: str | None = None,
               result: dict | None = None) -> bool:
        """Record a terminal state, only if we still hold the lease (else another worker took
        the task over and its outcome wins)."""
        now = utcnow()
        with session_scope(self.db_url) as s:
            res = s.execute(update(Task).where(Task.id == claim.task_id,
                                               Task.lease_owner == claim.owner,
                                               Task.status == states.RUNNING)
                            .values(status=status, error=error, result=result or {},
                                    finished_at=now, lease_expires_at=None))
            if res.rowcount == 1:
                s.execute(update(Job).where(Job.id == select(Task.job_id).where(
                    Task.id == claim.task_id).scalar_subquery()).values(updated_at=now))
            return res.rowcount == 1

    def requeue(self, claim: Claim, delay: float, error: str) -> bool:
        """A transient failure: try again after `delay` seconds."""
        now = utcnow()
        with session_scope(self.db_url) as s:
            res = s.execute(update(Task).where(Task.id == claim.task_id,
                                               Task.lease_owner == claim.owner,
                                               Task.status == states.RUNNING)
                            .values(status=states.QUEUED, error=error, lease_expires_at=None,
                                    not_before=now + datetime.timedelta(seconds=delay)))
            return res.rowcount == 1

    def due_task_ids(self, stale_seconds: float = 0.0, limit: int = 500) -> list[str]:
        """Tasks that have waited `stale_seconds` past their due time, or whose worker died:
        their broker message was probably lost, so they are announced again."""
        now = utcnow()
        stale = now - datetime.timedelta(seconds=stale_seconds)
        with read_scope(self.db_url) as s:
            return list(s.scalars(select(Task.id).where(or_(
                and_(Task.status == states.QUEUED, Task.not_before <= stale),
                and_(Task.status == states.RUNNING, Task.lease_expires_at < now))).limit(limit)))

    # ---- reading ---------------------------------------------------------------------------
    def get_task(self, task_id: str) -> Task | None:
        with read_scope(self.db_url) as s:
            return s.get(Task, task_id)

    def get_job(self, job_id: str) -> tuple[Job, list[Task]] | None:
        with read_scope(self.db_url) as s:
            job = s.get(Job, job_id)
            if job is None:
                return None
            tasks = list(s.scalars(select(Task).where(Task.job_id == job_id)
                                   .order_by(Task.seq)))
        return job, _whole(job, tasks)

    def job_page(self, job_id: str, limit: int, marker: str | None = None
                 ) -> tuple[Job, dict[str, int], datetime.datetime | None, list[Task]] | None:
        """A job, its tasks counted by status, its last task's end, and one page of its
        tasks in order (after the task `marker`; KeyError: no task of the job): a job over
        thousands of regions is never read whole to be shown."""
        with read_scope(self.db_url) as s:
            job = s.get(Job, job_id)
            if job is None:
                return None
            counts = dict(s.execute(select(Task.status, func.count()).where(
                Task.job_id == job_id).group_by(Task.status)).all())
            last = s.scalar(select(func.max(Task.finished_at)).where(Task.job_id == job_id))
            q = select(Task).where(Task.job_id == job_id).order_by(Task.seq).limit(limit)
            if marker:
                after = s.scalar(select(Task.seq).where(Task.id == marker,
                                                        Task.job_id == job_id))
                if after is None:
                    raise KeyError(marker)
                q = q.where(Task.seq > after)
            tasks = list(s.scalars(q)) if limit else []
        return job, counts, last, _whole(job, tasks)

    def list_jobs(self, *, project_id: str | None, user_id: str | None = None,
                  kind: str | None = None, active_only: bool = False,
                  limit: int = 100, marker: str | None = None) -> list[tuple[Job, dict]]:
        """Jobs newest first, each with its task counts per state."""
        with read_scope(self.db_url) as s:
            q = select(Job).order_by(Job.created_at.desc(), Job.id)
            if project_id is not None:
                q = q.where(Job.project_id == project_id)
            if user_id is not None:
                q = q.where(Job.user_id == user_id)
            if kind is not None:
                q = q.where(Job.kind == kind)
            if active_only:
                q = q.where(select(Task.id).where(
                    Task.job_id == Job.id,
                    Task.status.in_([states.QUEUED, states.RUNNING])).exists())
            if marker is not None:
                m = s.get(Job, marker)
                if m is not None:
                    q = q.where(or_(Job.created_at < m.created_at,
                                    and_(Job.created_at == m.created_at, Job.id > m.id)))
            jobs = list(s.scalars(q.limit(limit)))
            counts: dict[str, dict[str, int]] = defaultdict(dict)
            if jobs:
                for job_id, status, n in s.execute(
                        select(Task.job_id, Task.status, func.count())
                        .where(Task.job_id.in_([j.id for j in jobs]))
                        .group_by(Task.job_id, Task.status)):
                    counts[job_id][status] = n
            return [(j, counts[j.id]) for j in jobs]


def _shared(payloads: list[dict]) -> dict:
    """The items every payload has alike (two or more tasks): a job's tasks for many target
    regions carry the same source snapshot, stored once on the job, not once per region."""
    if len(payloads) < 2:
        return {}
    first, rest = payloads[0], payloads[1:]
    return {k: v for k, v in first.items() if all(k in p and p[k] == v for p in rest)}


def _whole(job: Job | None, tasks: list[Task]) -> list[Task]:
    """Tasks (detached: their session closed) with their job's shared payload merged in."""
    shared = (job.task_payload if job is not None else None) or {}
    if shared:
        for t in tasks:
            t.payload = {**shared, **(t.payload or {})}
    return tasks
