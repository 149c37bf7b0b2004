"""The periodic quota rebalance is a controller: the resync loop queues its one key (however
many processes run the loop), a worker's run makes one job for every project with settings
and says when it is due again, and no job is made while the last one still runs."""
from albatross.db.quotas import QuotaStore
from albatross.db.work_queue import WorkQueue
from albatross.jobs.executor import TaskExecutor
from albatross.jobs.periodic import Resync
from albatross.reconcilers.quota_periodic import PeriodicQuotaRebalance


class KeystoneProjects:
    """The two registry questions the controller asks, answered without a cloud."""

    def __init__(self, ids):
        self.ids = ids

    def project_ids(self):
        return list(self.ids)

    def service_project_id(self):
        return "service"


def _run_item(api, executor):
    [item] = WorkQueue(api.rt.store.db_url).items("quota_periodic")
    [claim] = api.rt.store.claim("w", 30, task_id=item.id)
    return executor.run(claim)


def _periodic_jobs(api):
    return [j for j, _ in api.rt.store.list_jobs(project_id=None, kind="quota_rebalance")
            if j.origin == "periodic"]


def test_the_periodic_rebalance_runs_once_per_interval(api):
    api.rt.registry = KeystoneProjects(["p1", "p2"])
    QuotaStore(api.rt.store.db_url).set_project("p3", {"cores": 4}, {})
    executor = TaskExecutor(api.rt.store, api.rt.registry, conf=api.rt.conf)
    loops = [Resync(api.rt, [PeriodicQuotaRebalance()]) for _ in range(2)]
    assert len(loops[0].once()) == 1 and loops[1].once() == []   # a second process: queued
    assert _run_item(api, executor) == "SUCCESS"
    [job] = _periodic_jobs(api)
    tasks = api.rt.store.get_job(job.id)[1]
    assert [t.resource for t in tasks] == ["p3"]              # default: projects with settings
    [item] = WorkQueue(api.rt.store.db_url).items("quota_periodic")
    due_in = (item.not_before - item.finished_at).total_seconds()
    assert abs(due_in - api.rt.conf.quota.rebalance_interval) < 1
    WorkQueue(api.rt.store.db_url).enqueue("quota_periodic", "all")   # due again now
    assert _run_item(api, executor) == "SUCCESS" and len(_periodic_jobs(api)) == 1  # still runs
    claim = api.rt.store.claim("w", 30, task_id=tasks[0].id)[0]
    api.rt.store.finish(claim, "SUCCESS")
    api.rt.conf.set_override("all_projects", True, group="quota")
    WorkQueue(api.rt.store.db_url).enqueue("quota_periodic", "all")
    assert _run_item(api, executor) == "SUCCESS"
    newest = _periodic_jobs(api)[0]
    assert sorted(t.resource for t in api.rt.store.get_job(newest.id)[1]) == ["p1", "p2", "p3"]


def test_a_failed_run_backs_off(api):
    class Refusing(KeystoneProjects):
        def service_project_id(self):
            raise ConnectionError("keystone down")
    api.rt.registry = Refusing([])
    QuotaStore(api.rt.store.db_url).set_project("p3", {"cores": 4}, {})
    executor = TaskExecutor(api.rt.store, api.rt.registry, conf=api.rt.conf,
                            retry_backoff=10, retry_backoff_max=15)
    Resync(api.rt, [PeriodicQuotaRebalance()]).once()
    assert _run_item(api, executor) == "QUEUED"
    [item] = WorkQueue(api.rt.store.db_url).items("quota_periodic")
    assert item.attempts == 1 and "internal error (ConnectionError)" in item.error
    assert 5 <= (item.not_before - item.finished_at).total_seconds() <= 10.5
    assert WorkQueue(api.rt.store.db_url).settle(item.id, "nobody", None) is None  # not ours
    assert _periodic_jobs(api) == []
    [claim] = api.rt.store.claim("w", 30, task_id=item.id, limit=1) or [None]
    assert claim is None                             # in its backoff: not claimable yet


def test_a_controller_that_is_off_is_not_queued(api):
    api.rt.conf.set_override("rebalance_interval", 0, group="quota")
    assert Resync(api.rt, [PeriodicQuotaRebalance()]).once() == []
    assert WorkQueue(api.rt.store.db_url).count() == 0


def test_a_run_asked_for_while_off_runs_once_and_is_not_requeued(api):
    """Interval 0 means never by itself: a run asked for once (an operator, a bench) must not
    come back at once and loop (it did, back to back, for the indicator collection)."""
    api.rt.conf.set_override("rebalance_interval", 0, group="quota")
    api.rt.registry = KeystoneProjects([])
    QuotaStore(api.rt.store.db_url).set_project("p3", {"cores": 4}, {})
    WorkQueue(api.rt.store.db_url).enqueue("quota_periodic", "all")
    assert _run_item(api, TaskExecutor(api.rt.store, api.rt.registry,
                                       conf=api.rt.conf)) == "SUCCESS"
    [item] = WorkQueue(api.rt.store.db_url).items("quota_periodic")
    assert item.status == "IDLE" and len(_periodic_jobs(api)) == 1
