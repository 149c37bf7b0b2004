"""Runs one leased task through its reconciler (a job's task) or its controller (a work item
of the queue) and records the outcome. Shared by the embedded worker and the Celery worker,
so both behave identically."""
import contextlib
import dataclasses
import logging

from albatross import backoff, request_ids
from albatross.conf.jobs import BATCH_SIZE
from albatross.db import job_states as states
from albatross.db import locks
from albatross.db.events import EventStore, lost_event
from albatross.db.jobs import Claim, JobStore
from albatross.db.models import Job, Task
from albatross.db.trusts import TrustStore
from albatross.db.work_queue import WorkQueue
from albatross.jobs import submit, trusts
from albatross.jobs.records import Records
from albatross.reconcilers.base import (ControllerContext, Outcome, RegionsFailed, TaskContext,
                                        Unsupported)
from albatross.reconcilers.errors import classify
from albatross.reconcilers.registry import CONTROLLERS, RECONCILERS
from albatross.regions.delegation import Authority, DelegationLost
from albatross.regions.errors import authority_refused
from albatross.regions.registry import RegionRegistry

LOG = logging.getLogger(__name__)


def options_from_conf(conf) -> dict:
    """Deployment settings the reconcilers need."""
    return {"quota_policy": conf.quota.policy, "webhook_url": conf.quota.webhook_url}


class TaskExecutor:
    def __init__(self, store: JobStore, registry: RegionRegistry, *, max_attempts: int = 3,
                 retry_backoff: float = 2.0, retry_backoff_max: float = 300.0,
                 on_requeue=None, options: dict | None = None, lease_seconds: float = 30.0,
                 conf=None, health=None, dispatch=None, controllers=None):
        self.store = store
        self.options = options or {}
        self.on_requeue = on_requeue
        self.registry = registry
        self.max_attempts = max_attempts
        self.retry_backoff, self.retry_backoff_max = retry_backoff, retry_backoff_max
        self.lease_seconds = lease_seconds
        self.batch_size = conf.jobs.batch_size if conf is not None else BATCH_SIZE
        self.leases = None  # the runner's LeaseKeeper: renews sibling claims of a batch
        # what controllers get (ControllerContext): the configuration, the health probe, and
        # how the jobs they make are announced
        self.conf, self.health = conf, health
        self.dispatch = dispatch or (lambda task_ids: None)
        self.controllers = CONTROLLERS if controllers is None else controllers
        self.queue = WorkQueue(store.db_url)

    def _regions(self, job: Job, reconciler):
        """What a task's region calls carry: the job's trust when it writes for a user (a job
        without one stops: never the service account instead), else the service account."""
        if reconciler is None or not reconciler.acts_for_user:
            return self.registry.for_request(job.request_id)
        if not job.trust_id:
            raise DelegationLost(f"job {job.id} holds no trust of its user (made before "
                                 "Albatross acted through trusts): nothing is written; retry it "
                                 "to delegate again")
        return self.registry.acting_for(
            Authority(job.user_id, job.project_id, trust_id=job.trust_id), job.request_id)

    def _context(self, claim: Claim, task: Task, job: Job, reconciler=None) -> TaskContext:
        """Every region call of a task goes through ctx.registry: bound to the job's request
        id there, each is logged by the region under the request that made the job."""
        return TaskContext(self._regions(job, reconciler), task.resource,
                           task.source_region, task.target_region, task.force,
                           task.payload or {}, job.project_id, job.user_id, task.id,
                           self.store.db_url, self.options,
                           report=lambda result: self.store.progress(claim, result),
                           records=self._records(task, job))

    def _records(self, task: Task, job: Job) -> Records:
        return Records(self.store.db_url, task_id=task.id, project_id=job.project_id,
                       source_region=task.source_region, target_region=task.target_region)

    def _holding(self, stack: contextlib.ExitStack, reconciler, ctx: TaskContext):
        """The context with the lease of the lock the reconciler declared, held until
        `stack` closes; Busy: another task holds it (RegionsFailed: a retry looks again)."""
        lock = reconciler.lock(ctx)
        if lock is None:
            return ctx
        try:
            lease = stack.enter_context(locks.held(self.store.db_url, lock.name, ctx.task_id,
                                                   lock.ttl, wait=lock.wait, poll=0.2))
        except locks.Busy:
            raise RegionsFailed(f"{ctx.target_region}: {lock.busy}") from None
        return dataclasses.replace(ctx, lease=lease)

    def run(self, claim: Claim) -> str:
        task, job = self.store.load_task(claim.task_id)
        if job is None:
            return self._run_controller(claim, task)
        reconciler = RECONCILERS.get(task.resource_type)
        if reconciler is not None and reconciler.batched:
            return self._run_batch(claim, task, job, reconciler)
        try:
            if reconciler is None:
                raise Unsupported(f"no reconciler for {task.resource_type!r}")
            # its region calls send the job's request id (the regions' connections read it)
            with contextlib.ExitStack() as stack, request_ids.scope(job.request_id):
                outcome = reconciler.reconcile(self._holding(
                    stack, reconciler, self._context(claim, task, job, reconciler)))
        except Exception as exc:
            return self._settle(claim, task, job, reconciler, exc)
        return self._settle(claim, task, job, reconciler, outcome)

    def _run_batch(self, claim: Claim, task: Task, job: Job, reconciler) -> str:
        """Also lease the job's other runnable tasks for the same resource and serve them in
        one pass (one download for every target region)."""
        siblings = self.store.claim_siblings(claim.owner, self.lease_seconds, task.id,
                                             limit=min(reconciler.batch_limit,
                                                       self.batch_size) - 1)
        for c in siblings:
            if self.leases is not None:
                self.leases.hold(c)
        try:
            runs = [(claim, task)] + [(c, self.store.load_task(c.task_id)[0]) for c in siblings]
            results: dict = {}
            with contextlib.ExitStack() as stack, request_ids.scope(job.request_id):
                held = []
                for c, t in runs:
                    try:
                        held.append(self._holding(stack, reconciler,
                                                  self._context(c, t, job, reconciler)))
                    except RegionsFailed as exc:   # that task's lock is another's
                        results[t.id] = exc
                try:
                    results.update(reconciler.reconcile_batch(held) if held else {})
                except Exception as exc:  # the whole batch failed (e.g. the source is down)
                    results.update({ctx.task_id: exc for ctx in held})
            states_ = [self._settle(c, t, job, reconciler, results[t.id]) for c, t in runs]
        finally:
            for c in siblings:
                if self.leases is not None:
                    self.leases.release(c)
        return states_[0]

    def _run_controller(self, claim: Claim, task: Task) -> str:
        """One run of a controller for its key; the item is queued again as the outcome asks,
        after a capped, jittered backoff when it failed (never FAILED: the world may heal)."""
        controller = self.controllers.get(task.resource_type)
        if controller is None:   # written by a newer version, or a controller removed
            self.queue.settle(task.id, claim.owner, None)
            return states.SKIPPED
        ctx = ControllerContext(task.resource, self.registry, self.health, self.conf,
                                self.store.db_url, self._submit)
        try:
            outcome = controller.reconcile(ctx)
        except Exception as exc:
            failure = classify(exc, f"{task.resource_type} {task.resource}")
            delay = backoff.delay(task.attempts, self.retry_backoff, self.retry_backoff_max)
            LOG.warning("%s; again in %.1fs", failure.message, delay,
                        exc_info=failure.unexpected and exc)
            self._announce(task.id, self.queue.settle(task.id, claim.owner, delay,
                                                      failure.message, failed=True))
            return states.QUEUED
        self._announce(task.id, self.queue.settle(task.id, claim.owner, outcome.requeue_after))
        return states.SUCCESS

    def _announce(self, task_id: str, due_in: float | None) -> None:
        if due_in is not None and self.on_requeue:
            self.on_requeue([task_id], due_in)

    def _submit(self, **job) -> str | None:
        return submit.submit(self.store, self.dispatch, **job)

    def _settle(self, claim: Claim, task: Task, job: Job, reconciler,
                result: Outcome | Exception) -> str:
        state = self._record(claim, task, job, reconciler, result)
        if isinstance(result, DelegationLost) or (
                job.trust_id and isinstance(result, Exception) and authority_refused(result)):
            self._stop(job, classify(result, task.target_region).message)
        wake = (job.params or {}).get("wake")
        if (job.trust_id or wake) and state != states.QUEUED \
                and not self.store.has_unfinished(job.id):
            if job.trust_id:
                trusts.release(self.store.db_url, self.registry, "job", job.id)
                trusts.sweep(self.store.db_url, self.registry, job.trust_id)
            if wake:   # the controller item the job was made for looks again now
                item = self.queue.ask(wake["kind"], wake["key"])
                self.dispatch([item] if item else [])
        return state

    def _stop(self, job: Job, message: str) -> None:
        """The job's authority is gone: its queued tasks fail now, with one event (written by
        whichever task drops the job's dead trust first)."""
        stopped = self.store.stop_queued(job.id, message)
        # a dead trust goes whoever held it (a policy or a rollout renews it when one of
        # the project's members acts on it next)
        first = TrustStore(self.store.db_url).forget(job.trust_id) \
            if job.trust_id else stopped > 0
        if not first:
            return
        if job.trust_id:
            trusts.discard(self.registry, job.trust_id)
        EventStore(self.store.db_url).insert(lost_event(
            project_id=job.project_id, user_id=job.user_id, resource_id=job.id,
            request_id=job.request_id, summary=f"job {job.id} ({job.kind}) stopped: {message}",
            payload={"job_id": job.id, "kind": job.kind, "stopped": stopped}))

    def _record(self, claim: Claim, task: Task, job: Job, reconciler,
                result: Outcome | Exception) -> str:
        """Record one task's outcome: SUCCESS, a retry with backoff, or FAILED."""
        if isinstance(result, Exception):
            failure = classify(result, task.target_region)
            transient, message = failure.transient, failure.message
            if not transient:
                LOG.warning("task %s (%s %s -> %s) failed: %s", task.id, task.resource_type,
                            task.resource, task.target_region, message,
                            exc_info=failure.unexpected and result)
            if transient and task.attempts < self.max_attempts:
                delay = backoff.delay(task.attempts, self.retry_backoff,
                                      self.retry_backoff_max)
                if self.store.requeue(claim, delay, message) and self.on_requeue:
                    self.on_requeue([task.id], delay)
                LOG.info("task %s: %s; attempt %d of %d again in %.1fs", task.id, message,
                         task.attempts, self.max_attempts, delay)
                return states.QUEUED
            self.store.finish(claim, states.FAILED, error=message)
            return states.FAILED
        if reconciler.tracks_mappings:
            self._record_mapping(task, job, result)
        self.store.finish(claim, states.SUCCESS, result={
            "action": result.action, "written": result.written,
            "target_id": result.target_id, "fingerprint": result.fingerprint,
            "attempts": task.attempts, "worker": claim.owner, **result.details})
        return states.SUCCESS

    def _record_mapping(self, task: Task, job: Job, outcome: Outcome) -> None:
        """Source -> target, and whether Albatross created the target object."""
        self._records(task, job).mappings(task.resource_type, job.user_id).record(
            task.resource, outcome.target_id, fingerprint=outcome.fingerprint,
            created=outcome.written if outcome.created is None else outcome.created,
            task_id=task.id)
