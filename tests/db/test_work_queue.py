"""The controllers' work queue (db/work_queue.py) on every backend: one row per key however
often it is asked for, a key asked for while it runs runs once more, a settled item is due
again when its run said or idle with its last run's times, a failed one keeps its backoff,
and JobStore claims items and job tasks alike."""
import datetime

from albatross.db.models import utcnow
from albatross.db.work_queue import WorkQueue
from albatross.db.jobs import JobStore


def _one(queue, kind="k"):
    [item] = queue.items(kind)
    return item


def test_a_key_is_queued_once_and_brought_forward_never_back(db_url):
    queue = WorkQueue(db_url)
    made = queue.enqueue("k", "a", after=60)
    assert made and queue.enqueue("k", "a", after=120) is None
    assert queue.enqueue("k", "a", after=0) is None and queue.count() == 1
    assert _one(queue).not_before <= utcnow()     # the earlier ask wins
    assert queue.enqueue("k", "b") and queue.enqueue("other", "a") and queue.count() == 3


def test_a_key_asked_for_while_it_runs_runs_again_at_once(db_url):
    queue, store = WorkQueue(db_url), JobStore(db_url)
    item = queue.enqueue("k", "a")
    [claim] = store.claim("w1", 30, task_id=item)
    assert queue.enqueue("k", "a") is None          # running: marked, not doubled
    assert queue.settle(item, "w1", requeue_after=900) == 0.0
    row = _one(queue)
    assert (row.status, row.dirty, row.attempts) == ("QUEUED", False, 0)
    assert row.not_before <= utcnow()


def test_settling_requeues_deletes_or_keeps_the_backoff(db_url):
    queue, store = WorkQueue(db_url), JobStore(db_url)
    item = queue.enqueue("k", "a")
    store.claim("w1", 30, task_id=item)
    assert queue.settle(item, "w2", requeue_after=5) is None   # not the lease holder's
    assert queue.settle(item, "w1", requeue_after=0, error="boom", failed=True) == 0.0
    store.claim("w1", 30, task_id=item)
    assert queue.settle(item, "w1", requeue_after=40, error="boom", failed=True) == 40
    row = _one(queue)
    assert (row.attempts, row.error) == (2, "boom")
    assert row.not_before > utcnow() + datetime.timedelta(seconds=30)
    assert queue.enqueue("k", "a") is None and _one(queue).not_before > utcnow()  # backoff kept
    with_store_due = store.claim("w1", 30)
    assert with_store_due == []                     # not due: nothing to claim
    queue.enqueue("k", "b")
    [claim] = store.claim("w1", 30)                 # items are claimed like job tasks
    assert queue.settle(claim.task_id, "w1", requeue_after=None) is None
    assert [i.resource for i in queue.items(active=True)] == ["a"] and queue.count() == 1
    idle = _one_of(queue, "b")
    assert idle.status == "IDLE" and idle.started_at <= idle.finished_at
    assert store.claim("w1", 30, task_id=idle.id) == []     # idle: nothing to run


def _one_of(queue, key):
    [item] = queue.items("k", key)
    return item


def test_an_idle_item_comes_back_when_asked_for_and_goes_with_the_purge(db_url):
    queue, store = WorkQueue(db_url), JobStore(db_url)
    item = queue.enqueue("k", "a")
    store.claim("w1", 30, task_id=item)
    queue.settle(item, "w1", requeue_after=None)
    first = _one_of(queue, "a")
    assert queue.enqueue("k", "a") is None          # the same row, queued again
    again = _one_of(queue, "a")
    assert (again.id, again.status, again.attempts) == (item, "QUEUED", 0)
    [claim] = store.claim("w1", 30, task_id=item)
    assert _one_of(queue, "a").started_at >= first.finished_at   # each run's own start
    queue.settle(item, "w1", requeue_after=None)
    assert queue.purge_idle(utcnow() - datetime.timedelta(hours=1)) == 0
    assert queue.purge_idle(utcnow() + datetime.timedelta(seconds=1)) == 1
    assert queue.items() == [] and queue.enqueue("k", "a")   # made anew
