"""The job store's promises, on every backend: atomic job creation, exclusive leases that
expire, outcomes recorded only by the lease holder, retries."""
import threading
import time

from albatross.db import job_states as states
from albatross.db.jobs import JobStore, TaskSpec


def _job(store, n=3, project="p1"):
    specs = [TaskSpec("keypair", f"kp{i}", "R1", "R2", False, {"public_key": "k"})
             for i in range(n)]
    return store.create_job(project_id=project, user_id="u1", kind="keypair_sync",
                            params={"x": 1}, tasks=specs)


def test_create_job_writes_job_and_all_tasks(db_url):
    store = JobStore(db_url)
    job_id, task_ids = _job(store, 4)
    job, tasks = store.get_job(job_id)
    assert job.params == {"x": 1} and [t.id for t in tasks] == task_ids
    assert {t.status for t in tasks} == {states.QUEUED}
    assert [t.payload for t in tasks] == [{"public_key": "k"}] * 4


def test_concurrent_claims_never_share_a_task(db_url):
    store = JobStore(db_url)
    _job_id, task_ids = _job(store, 30)
    got: list[str] = []
    lock = threading.Lock()

    def worker(name):
        while True:
            claims = store.claim(name, 30)
            if not claims:
                return
            with lock:
                got.extend(c.task_id for c in claims)

    threads = [threading.Thread(target=worker, args=(f"w{i}",)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(got) == sorted(task_ids)  # each task exactly once


def test_expired_lease_is_taken_over_and_old_owner_cannot_finish(db_url):
    store = JobStore(db_url)
    _job_id, (task_id,) = _job(store, 1)
    [first] = store.claim("dead-worker", 0.2, task_id=task_id)
    assert store.claim("other", 30, task_id=task_id) == []  # lease still live
    time.sleep(0.4)
    [second] = store.claim("other", 30, task_id=task_id)
    assert not store.finish(first, states.SUCCESS)  # the crashed worker's late answer loses
    assert store.finish(second, states.SUCCESS, result={"written": False})
    task = store.get_task(task_id)
    assert task.status == states.SUCCESS and task.attempts == 2
    assert task.result == {"written": False}


def test_renewed_lease_is_not_taken_over(db_url):
    store = JobStore(db_url)
    _job_id, (task_id,) = _job(store, 1)
    [claim] = store.claim("w1", 0.5, task_id=task_id)
    for _ in range(3):
        time.sleep(0.2)
        store.renew([claim], 0.5)
        assert store.claim("w2", 30, task_id=task_id) == []
    assert store.finish(claim, states.FAILED, error="x")


def test_requeue_delays_and_retry_failed_resets(db_url):
    store = JobStore(db_url)
    job_id, (a, b) = _job(store, 2)
    [ca] = store.claim("w", 30, task_id=a)
    assert store.requeue(ca, 60, "region down")
    assert store.claim("w", 30, task_id=a) == []  # not due yet
    assert store.due_task_ids(stale_seconds=0) == [b]
    [cb] = store.claim("w", 30, task_id=b)
    store.finish(cb, states.FAILED, error="nova down")
    assert store.retry_failed(job_id) == [b]
    task = store.get_task(b)
    assert task.status == states.QUEUED and task.attempts == 0 and task.finished_at is None


def test_list_counts_scoping_and_delete(db_url):
    store = JobStore(db_url)
    j1, (t1, _t2) = _job(store, 2, project="p1")
    j2, _ = _job(store, 1, project="p2")
    [c] = store.claim("w", 30, task_id=t1)
    store.finish(c, states.SUCCESS)
    rows = store.list_jobs(project_id="p1")
    assert [(j.id, counts) for j, counts in rows] == [(j1, {"SUCCESS": 1, "QUEUED": 1})]
    assert {j.id for j, _ in store.list_jobs(project_id=None)} == {j1, j2}
    assert [j.id for j, _ in store.list_jobs(project_id="p1", active_only=True)] == [j1]
    assert store.delete_job(j1) and store.get_job(j1) is None
    assert store.list_jobs(project_id="p1") == []


def test_siblings_are_leased_together_up_to_the_batch_limit(db_url):
    store = JobStore(db_url)
    _job, ids = store.create_job(project_id="p", user_id="u", kind="x", params={},
                                 tasks=[TaskSpec("image", "img", "R0", f"R{i}")
                                        for i in range(1, 6)])
    [first] = store.claim("w1", 30, task_id=ids[0])
    got = store.claim_siblings("w1", 30, first.task_id, limit=2)
    assert [c.task_id for c in got] == ids[1:3]
    assert [c.task_id for c in store.claim_siblings("w2", 30, ids[3], limit=10)] == [ids[4]]


def test_what_every_task_shares_is_stored_once_and_read_whole(db_url):
    """A sync over many regions: the source snapshot goes on the job once, each task keeps
    what is its own, and every reader sees the payload whole."""
    from albatross.db.engine import session_scope
    from albatross.db.models import Task
    from sqlalchemy import select
    snapshot = {"groups": {f"g{i}": {"rules": list(range(20))} for i in range(50)}}
    store = JobStore(db_url)
    job_id, ids = store.create_job(project_id="p", user_id="u", kind="x", params={}, tasks=[
        TaskSpec("security_group", "all", "R0", f"R{i}", False,
                 {"snapshot": snapshot, "policy_id": "pol", "only": i}) for i in (1, 2, 3)])
    with session_scope(db_url) as s:
        stored = dict(s.execute(select(Task.id, Task.payload).where(Task.job_id == job_id)).all())
    assert all(set(p) == {"only"} for p in stored.values())
    job, tasks = store.get_job(job_id)
    assert job.task_payload == {"snapshot": snapshot, "policy_id": "pol"}
    assert [t.payload for t in tasks] == [{"snapshot": snapshot, "policy_id": "pol",
                                           "only": i} for i in (1, 2, 3)]
    assert store.load_task(ids[1])[0].payload["only"] == 2
    assert store.load_task(ids[1])[0].payload["snapshot"] == snapshot
    with session_scope(db_url) as s:   # reading whole never wrote the merge back
        assert set(s.get(Task, ids[0]).payload) == {"only"}
    single, [one] = store.create_job(project_id="p", user_id="u", kind="x", params={},
                                     tasks=[TaskSpec("keypair", "k", "R0", "R1", False,
                                                     {"public_key": "x"})])
    assert not store.get_job(single)[0].task_payload
    assert store.load_task(one)[0].payload == {"public_key": "x"}


def test_a_job_has_unfinished_tasks_until_its_last_one_ends(db_url):
    store = JobStore(db_url)
    job_id, task_ids = _job(store, 3)
    other_id, _ = _job(store, 1)   # another job's queued task counts for that job only
    for task_id in task_ids:
        assert store.has_unfinished(job_id)
        (claim,) = store.claim("w1", 30, task_id=task_id)
        assert store.has_unfinished(job_id)   # running is unfinished too
        assert store.finish(claim, states.SUCCESS, result={})
    assert not store.has_unfinished(job_id)
    assert store.has_unfinished(other_id)
