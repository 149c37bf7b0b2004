"""A reconciler declares its lock and the executor holds it around the run (docs/decisions/
0004), on every backend: a task whose lock another holds is retried with the lock's own
words and never runs meanwhile; a run holds the lease (ctx.lease) and frees it after; in a
batch only the busy task waits, its siblings run."""
from albatross.db import locks
from albatross.db.jobs import JobStore, TaskSpec
from albatross.jobs.executor import TaskExecutor
from albatross.reconcilers import quotas
from albatross.reconcilers.base import Lock, Outcome, Reconciler
from albatross.reconcilers.registry import RECONCILERS


class Guarded(Reconciler):
    resource_type = "guarded"
    tracks_mappings = False
    acts_for_user = False

    def __init__(self):
        self.runs = []

    def lock(self, ctx):
        return Lock(f"guarded:{ctx.resource}:{ctx.target_region}", 30,
                    "another guarded write is running there")

    def reconcile(self, ctx):
        self.runs.append((ctx.target_region, ctx.lease.name, ctx.lease.lost))
        return Outcome("none", False)

    def reconcile_batch(self, ctxs):
        return {ctx.task_id: self.reconcile(ctx) for ctx in ctxs}


class Regions:
    """The service account's regions (no region call is made here)."""

    def for_request(self, request_id):
        return self


def _job(store, regions):
    return store.create_job(project_id="p", user_id="u", kind="guarded", params={},
                            tasks=[TaskSpec("guarded", "x", "R1", r) for r in regions])


def test_a_busy_lock_retries_and_a_free_one_is_held_for_the_run(db_url, monkeypatch):
    guarded = Guarded()
    monkeypatch.setitem(RECONCILERS, "guarded", guarded)
    store = JobStore(db_url)
    executor = TaskExecutor(store, registry=Regions(), retry_backoff=0)
    _job_id, [task_id] = _job(store, ["R2"])
    assert locks.acquire(db_url, "guarded:x:R2", "someone", 30)
    [claim] = store.claim("w", 30, task_id=task_id)
    assert executor.run(claim) == "QUEUED" and guarded.runs == []
    task, _job_row = store.load_task(task_id)
    assert task.error == "R2: another guarded write is running there"

    locks.release(db_url, "guarded:x:R2", "someone")
    [claim] = store.claim("w", 30, task_id=task_id)
    assert executor.run(claim) == "SUCCESS"
    assert guarded.runs == [("R2", "guarded:x:R2", False)]
    assert locks.acquire(db_url, "guarded:x:R2", "someone", 30)   # freed after the run


def test_in_a_batch_only_the_busy_task_waits(db_url, monkeypatch):
    guarded = Guarded()
    monkeypatch.setattr(Guarded, "batched", True)
    monkeypatch.setitem(RECONCILERS, "guarded", guarded)
    store = JobStore(db_url)
    executor = TaskExecutor(store, registry=Regions(), retry_backoff=0)
    _job_id, [first, busy] = _job(store, ["R2", "R3"])
    assert locks.acquire(db_url, "guarded:x:R3", "someone", 30)
    [claim] = store.claim("w", 30, task_id=first)
    assert executor.run(claim) == "SUCCESS"
    assert [r[0] for r in guarded.runs] == ["R2"]
    assert store.load_task(busy)[0].status == "QUEUED"


def test_two_rebalances_of_one_project_never_run_at_once(db_url, monkeypatch):
    """Each rebalance computes its increases from the limits it read: a second one running
    meanwhile could raise another region past G (seen in CI: 1 + 0 + 4 of G = 4)."""
    monkeypatch.setattr(quotas, "LOCK_WAIT", 0.2)
    store = JobStore(db_url)
    executor = TaskExecutor(store, registry=Regions(), retry_backoff=0)
    _job_id, [task_id] = store.create_job(
        project_id="admin", user_id="u", kind="quota_sync", params={},
        tasks=[TaskSpec("quota", "p1", "*", "*")])
    assert locks.acquire(db_url, quotas.lock_name("p1"), "another rebalance", 30)
    [claim] = store.claim("w", 30, task_id=task_id)
    assert executor.run(claim) == "QUEUED"   # no region was read: Regions has no connection
    task, _job_row = store.load_task(task_id)
    assert task.error == "*: another rebalance of this project is running; will retry"
    assert locks.holder(db_url, quotas.lock_name("p1")) == "another rebalance"
