"""The periodic quota rebalance, a controller with one key: every [quota] rebalance_interval,
one job rebalancing every project with global settings (every project of the cloud with
[quota] all_projects), unless the last one still runs (jobs never pile up)."""
from albatross.db.quotas import QuotaStore
from albatross.reconcilers.base import Controller, ControllerContext, Outcome

KIND = "quota_rebalance"   # the job's kind, as an operator's rebalance
EVERY_REGION = "*"


class PeriodicQuotaRebalance(Controller):
    kind = "quota_periodic"

    def resync_interval(self, conf) -> float:
        return conf.quota.rebalance_interval

    def reconcile(self, ctx: ControllerContext) -> Outcome:
        opts = ctx.conf.quota
        projects = set(QuotaStore(ctx.db_url).projects_with_settings())
        if opts.all_projects:
            projects |= set(ctx.registry.project_ids())
        job_id = None
        if projects:
            job_id = ctx.submit(
                kind=KIND, project_id=ctx.registry.service_project_id(), user_id="albatross",
                origin="periodic", params={"projects": sorted(projects)}, unless_active=True,
                tasks=[{"resource_type": "quota", "resource": p, "source_region": EVERY_REGION,
                        "target_region": EVERY_REGION} for p in sorted(projects)])
        return Outcome("started" if job_id else "none", False,
                       details={"job_id": job_id, "projects": len(projects)},
                       requeue_after=opts.rebalance_interval or None)   # 0: off
