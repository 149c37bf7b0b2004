"""Runs one leased task through its reconciler and records the outcome. Shared by the
embedded worker and the Celery worker, so both behave identically."""
import logging

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from albatross.db.engine import session_scope
from albatross.db.models import Job, ResourceMapping, Task
from albatross.jobs import states
from albatross.jobs.errors import classify
from albatross.jobs.store import Claim, JobStore
from albatross.reconcilers.registry import RECONCILERS
from albatross.reconcilers.base import Outcome, TaskContext, Unsupported
from albatross.regions.registry import RegionRegistry

LOG = logging.getLogger(__name__)


def options_from_conf(conf) -> dict:
    """Deployment settings the reconcilers need."""
    return {"quota_policy": conf.quota.policy, "webhook_url": conf.quota.webhook_url}


class TaskExecutor:
    def __init__(self, store: JobStore, registry: RegionRegistry, *, max_attempts: int = 3,
                 retry_backoff: float = 2.0, on_requeue=None, options: dict | None = None):
        self.store = store
        self.options = options or {}
        self.on_requeue = on_requeue
        self.registry = registry
        self.max_attempts = max_attempts
        self.retry_backoff = retry_backoff

    def _load(self, task_id: str) -> tuple[Task, Job]:
        with session_scope(self.store.db_url) as s:
            task = s.get(Task, task_id)
            return task, s.get(Job, task.job_id)

    def run(self, claim: Claim) -> str:
        task, job = self._load(claim.task_id)
        reconciler = RECONCILERS.get(task.resource_type)
        ctx = TaskContext(self.registry, task.resource, task.source_region, task.target_region,
                          task.force, task.payload or {}, job.project_id, job.user_id, task.id,
                          self.store.db_url, self.options)
        try:
            if reconciler is None:
                raise Unsupported(f"no reconciler for {task.resource_type!r}")
            outcome = reconciler.reconcile(ctx)
        except Exception as exc:
            failure = classify(exc, task.target_region)
            transient, message = failure.transient, failure.message
            if not transient:
                LOG.warning("task %s (%s %s -> %s) failed: %s", task.id, task.resource_type,
                            task.resource, task.target_region, message,
                            exc_info=failure.unexpected)
            if transient and task.attempts < self.max_attempts:
                delay = self.retry_backoff * (2 ** (task.attempts - 1))
                if self.store.requeue(claim, delay, message) and self.on_requeue:
                    self.on_requeue([task.id], delay)
                LOG.info("task %s: %s; attempt %d of %d again in %.1fs", task.id, message,
                         task.attempts, self.max_attempts, delay)
                return states.QUEUED
            self.store.finish(claim, states.FAILED, error=message)
            return states.FAILED
        if reconciler.tracks_mappings:
            self._record_mapping(task, job, outcome)
        self.store.finish(claim, states.SUCCESS, result={
            "action": outcome.action, "written": outcome.written,
            "target_id": outcome.target_id, "fingerprint": outcome.fingerprint,
            "attempts": task.attempts, "worker": claim.owner, **outcome.details})
        return states.SUCCESS

    def _record_mapping(self, task: Task, job: Job, outcome: Outcome) -> None:
        """Upsert source -> target; remember whether Albatross created the target object."""
        try:
            self._upsert_mapping(task, job, outcome)
        except IntegrityError:  # a concurrent task inserted the same row first
            self._upsert_mapping(task, job, outcome)

    def _upsert_mapping(self, task: Task, job: Job, outcome: Outcome) -> None:
        key = dict(resource_type=task.resource_type, owner=job.user_id,
                   source_region=task.source_region, source_key=task.resource,
                   target_region=task.target_region)
        created = outcome.written if outcome.created is None else outcome.created
        with session_scope(self.store.db_url) as s:
            row = s.scalars(select(ResourceMapping).filter_by(**key)
                            .with_for_update()).first()
            if row is None:
                s.add(ResourceMapping(**key, project_id=job.project_id,
                                      target_id=outcome.target_id or task.resource,
                                      fingerprint=outcome.fingerprint,
                                      created_by_albatross=created, task_id=task.id))
            else:
                row.target_id = outcome.target_id or row.target_id
                row.fingerprint = outcome.fingerprint
                row.created_by_albatross = row.created_by_albatross or created
                row.task_id = task.id
