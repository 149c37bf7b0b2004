"""The periodic rebalance makes one job for every project, and not again before it is due
(several workers may run the same loop)."""
from albatross.db.quotas import QuotaStore
from albatross.jobs.periodic import rebalance_all


class KeystoneProjects:
    """The two registry questions the scheduler asks, answered without a cloud."""

    def __init__(self, ids):
        self.ids = ids

    def project_ids(self):
        return list(self.ids)

    def service_project_id(self):
        return "service"


def test_periodic_rebalance_is_due_once_per_interval(api):
    api.rt.registry = KeystoneProjects(["p1", "p2"])
    QuotaStore(api.rt.store.db_url).set_project("p3", {"cores": 4}, {})
    job_id = rebalance_all(api.rt, interval=900)  # default: projects with settings only
    job, tasks = api.rt.store.get_job(job_id)
    assert job.origin == "periodic" and job.kind == "quota_rebalance"
    assert [t.resource for t in tasks] == ["p3"]
    assert rebalance_all(api.rt, interval=900) is None  # a second worker: not due yet
    assert rebalance_all(api.rt, interval=0.0001) is None  # due, but the last still runs
    claim = api.rt.store.claim("w", 30, task_id=tasks[0].id)[0]
    api.rt.store.finish(claim, "SUCCESS")
    job_id = rebalance_all(api.rt, interval=0.0001, all_projects=True)  # due again
    assert sorted(t.resource for t in api.rt.store.get_job(job_id)[1]) == ["p1", "p2", "p3"]
