"""A transaction that only reads never waits for one that writes, on every backend (SQLite's
BEGIN IMMEDIATE made every read queue behind every write)."""
import threading
import time

from sqlalchemy import select, update

from albatross.db.engine import read_scope, session_scope
from albatross.db.jobs import JobStore, TaskSpec
from albatross.db.models import Task


def test_a_read_does_not_wait_for_a_write_in_progress(db_url):
    store = JobStore(db_url)
    _job, [task_id] = store.create_job(project_id="p", user_id="u", kind="x", params={},
                                       tasks=[TaskSpec("keypair", "k", "R1", "R2")])
    writing, done = threading.Event(), threading.Event()

    def writer():
        with session_scope(db_url) as s:
            s.execute(update(Task).where(Task.id == task_id).values(error="held"))
            writing.set()
            done.wait(10)          # the write transaction stays open meanwhile

    thread = threading.Thread(target=writer)
    thread.start()
    assert writing.wait(10)
    t0 = time.monotonic()
    with read_scope(db_url) as s:
        seen = s.scalar(select(Task.error).where(Task.id == task_id))
    waited = time.monotonic() - t0
    done.set()
    thread.join()
    assert seen is None          # the committed state, not the write in progress
    assert waited < 2            # not the writer's 10 s, nor SQLite's 30 s busy timeout
    assert store.get_task(task_id).error == "held"


def test_many_writers_of_one_process_all_commit_and_lose_no_update(db_url):
    """Each writer reads the value and writes it plus one, in one transaction: they queue
    (SQLite: at the process's writer lock, then BEGIN IMMEDIATE), none fails as locked and
    none overwrites another's update."""
    store = JobStore(db_url)
    _job, [task_id] = store.create_job(project_id="p", user_id="u", kind="x", params={},
                                       tasks=[TaskSpec("keypair", "k", "R1", "R2")])
    errors: list[Exception] = []

    def writer():
        try:
            with session_scope(db_url) as s:
                now = s.scalar(select(Task.attempts).where(Task.id == task_id).with_for_update())
                time.sleep(0.01)   # a lost update would show
                s.execute(update(Task).where(Task.id == task_id).values(attempts=now + 1))
        except Exception as exc:   # noqa: BLE001 - the assertion names it
            errors.append(exc)

    threads = [threading.Thread(target=writer) for _ in range(24)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert store.get_task(task_id).attempts == 24
