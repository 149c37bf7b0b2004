"""The controllers' work queue, in the tasks table: one row per (kind, key), so the same work
is never queued twice (Kubernetes' work queue de-duplicates by key the same way). Workers
claim these rows with the job tasks (JobStore.claim: the same leases and takeover); a row
asked for again while it runs is marked dirty and runs once more right after.

After a run the row is settled: requeued after the reconciler's `requeue_after`, retried
after a per-item backoff when it failed, or left IDLE when nothing more is due (the next
enqueue revives it). An idle row keeps when its last run started and ended, so an operator
(and a test) can see that a controller has looked at a key since some moment; idle rows
go with the retention purge."""
import datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError

from albatross.db.engine import read_scope, session_scope
from albatross.db.models import Task, utcnow

QUEUED, RUNNING, IDLE = "QUEUED", "RUNNING", "IDLE"
RESYNC = "resync"   # the kind of the rows that say when the resync last asked a controller


def queue_key(kind: str, key: str) -> str:
    return f"{kind}:{key}"[:191]


class WorkQueue:
    def __init__(self, db_url: str):
        self.db_url = db_url

    def enqueue(self, kind: str, key: str, after: float = 0.0) -> str | None:
        """Ask for a run of (kind, key) within `after` seconds; returns the id of a row made
        now (to announce to the workers), None when one was there. A queued row is brought
        forward, never pushed back, and never out of its backoff; a running one runs again
        once it has finished."""
        now = utcnow()
        due = now + datetime.timedelta(seconds=after)
        qk = queue_key(kind, key)
        try:
            with session_scope(self.db_url) as s:
                row = Task(job_id=None, queue_key=qk, seq=0, resource_type=kind,
                           resource=key, source_region="", target_region="", payload={},
                           status=QUEUED, result={}, attempts=0, not_before=due,
                           created_at=now)
                s.add(row)
                s.flush()
                return row.id
        except IntegrityError:
            pass
        with session_scope(self.db_url) as s:
            s.execute(update(Task).where(Task.queue_key == qk, Task.status == IDLE)
                      .values(status=QUEUED, not_before=due, attempts=0, error=None))
            s.execute(update(Task).where(Task.queue_key == qk, Task.status == QUEUED,
                                         Task.attempts == 0, Task.not_before > due)
                      .values(not_before=due))
            s.execute(update(Task).where(Task.queue_key == qk, Task.status == RUNNING)
                      .values(dirty=True))
        return None

    def mark_resync(self, kind: str, started: datetime.datetime, keys: int) -> None:
        """The resync asked `kind` what is due (from `started` to now) and queued `keys`: an
        idle row (RESYNC, kind), never run, that says when a controller was last asked, so
        an operator sees the loop is alive and a test can wait for a pass."""
        now, qk = utcnow(), queue_key(RESYNC, kind)
        values = dict(started_at=started, finished_at=now, result={"keys": keys})
        with session_scope(self.db_url) as s:
            if s.execute(update(Task).where(Task.queue_key == qk).values(**values)).rowcount:
                return
        try:
            with session_scope(self.db_url) as s:
                s.add(Task(job_id=None, queue_key=qk, seq=0, resource_type=RESYNC,
                           resource=kind, source_region="", target_region="", payload={},
                           status=IDLE, attempts=0, not_before=now, created_at=now,
                           **values))
        except IntegrityError:
            pass   # another server's pass made it just now

    def ask(self, kind: str, key: str) -> str | None:
        """enqueue now, and the id of the item whether it was made or already there (for
        waking the workers about it at once)."""
        made = self.enqueue(kind, key)
        if made:
            return made
        with session_scope(self.db_url) as s:
            return s.scalar(select(Task.id).where(Task.queue_key == queue_key(kind, key)))

    def settle(self, task_id: str, owner: str, requeue_after: float | None,
               error: str | None = None, failed: bool = False) -> float | None:
        """The end of a run we hold the lease of: queued again after `requeue_after` seconds
        (at once if it was asked for meanwhile, unless it failed), or deleted when None.
        `failed` keeps the attempt count (the next backoff grows); a success resets it.
        Returns in how many seconds the item is due again (None: idle, or not ours)."""
        now = utcnow()
        mine = (Task.id == task_id, Task.lease_owner == owner, Task.status == RUNNING)
        with session_scope(self.db_url) as s:
            row = s.scalars(select(Task).where(*mine)).first()
            if row is None:
                return None   # taken over by another worker: its run decides
            if requeue_after is None and not row.dirty:
                s.execute(update(Task).where(*mine).values(
                    status=IDLE, lease_owner=None, lease_expires_at=None, error=error,
                    attempts=0, finished_at=now))
                return None
            after = (requeue_after or 0.0) if failed or not row.dirty else 0.0
            s.execute(update(Task).where(*mine).values(
                status=QUEUED, not_before=now + datetime.timedelta(seconds=after),
                lease_owner=None, lease_expires_at=None, dirty=False, error=error,
                attempts=Task.attempts if failed else 0, finished_at=now))
            return after

    def items(self, kind: str | None = None, key: str | None = None, *,
              limit: int | None = None, active: bool = False) -> list[Task]:
        """The controllers' rows, soonest due first (for operators and tests); `active`: only
        the queued and running ones."""
        with read_scope(self.db_url) as s:
            q = select(Task).where(Task.job_id.is_(None)).order_by(Task.not_before, Task.id)
            if kind is not None:
                q = q.where(Task.resource_type == kind)
            if key is not None:
                q = q.where(Task.resource == key)
            if active:
                q = q.where(Task.status != IDLE)
            return list(s.scalars(q.limit(limit)))

    def count(self) -> int:
        """How many items are queued or running."""
        with read_scope(self.db_url) as s:
            return s.scalar(select(func.count()).select_from(Task).where(
                Task.job_id.is_(None), Task.status != IDLE))

    def purge_idle(self, before: datetime.datetime) -> int:
        """Idle rows whose last run ended before `before` (their keys made again on demand)."""
        with session_scope(self.db_url) as s:
            return s.execute(delete(Task).where(Task.job_id.is_(None), Task.status == IDLE,
                                                Task.finished_at < before)).rowcount
