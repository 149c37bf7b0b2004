"""Quota rebalancing for one project, every resource, every region (docs/quota.md).

read_source: the global limits in force; read_target: every region's native limits and usage,
concurrently; diff: the wanted native limits (pure, albatross.quota.plan); apply: decreases
first, read back, then increases only within what the read-back limits leave free. A region
that cannot be read or written keeps its limits and its allowance, is reported, and the task
is retried; the next run fixes it. One rebalance of a project at a time (its lock): each computes
its increases from the limits it read, so two at once (a notification's and an operator's
sync) could together raise the sum past G."""
from dataclasses import dataclass

from albatross.db.quotas import QuotaStore
from albatross.reconcilers.errors import classify
from albatross.quota import plan as quota_plan
from albatross.quota.resources import PER_OBJECT, RESOURCES
from albatross.reconcilers import quota_alerts
from albatross.reconcilers.base import (Lock, Outcome, Plan, PlannedReconciler,
                                        RegionsFailed, TaskContext, check_lease)
from albatross.regions.quotas import read_all_regions, write_project_limits


LOCK_TTL, LOCK_WAIT = 120.0, 30.0  # a rebalance takes a second or two; the lease is renewed


def lock_name(project_id: str) -> str:
    return f"quota:{project_id}"


@dataclass(frozen=True)
class QuotaSource:
    """What the regions must obey: the global limits, soft limits (with whether usage was
    over them), the allowances last seen per region, and the deployment's policy."""
    hard: dict
    soft: dict
    allowances: dict
    policy: str


class QuotaReconciler(PlannedReconciler):
    resource_type = "quota"
    acts_for_user = False  # admin-only by nature
    tracks_mappings = False

    def lock(self, ctx: TaskContext) -> Lock:
        """Held from the first read to the last write, so the limits a run reads are the
        limits its increases are computed against."""
        return Lock(lock_name(ctx.resource), LOCK_TTL,
                    "another rebalance of this project is running; will retry", wait=LOCK_WAIT)

    def read_source(self, ctx: TaskContext) -> QuotaSource:
        store = QuotaStore(ctx.db_url)
        hard, soft, _klass = store.effective(ctx.resource)
        return QuotaSource(hard, soft, store.allowances(ctx.resource),
                           ctx.options.get("quota_policy", quota_plan.STRICT))

    def read_target(self, ctx: TaskContext) -> dict[str, object]:
        return read_all_regions(ctx.registry, ctx.resource, ctx.registry.names())

    def diff(self, source: "QuotaSource", target: dict, force: bool) -> Plan:
        """Pure: {resource: {region: wanted native limit}} for the reachable regions."""
        hard, readings, allowances, policy = (source.hard, target, source.allowances,
                                              source.policy)
        wanted = {}
        for name in RESOURCES:
            regions = []
            for region, value in readings.items():
                if isinstance(value, Exception):
                    known = allowances.get((name, region))
                    regions.append(quota_plan.RegionQuota(
                        region, known.usage if known else 0,
                        known.native_limit if known else None, reachable=False))
                else:
                    regions.append(quota_plan.RegionQuota(region, value[1].get(name, 0),
                                                          value[0].get(name)))
            wanted[name] = quota_plan.targets(hard[name], regions, policy,
                                              per_object=name in PER_OBJECT)
        return Plan("rebalance", desired=wanted, current=target, details={"source": source})

    def apply(self, plan: Plan, ctx: TaskContext) -> Outcome:
        store, project, readings = QuotaStore(ctx.db_url), ctx.resource, plan.current
        source: QuotaSource = plan.details["source"]
        hard, soft, allowances, policy = (source.hard, source.soft, source.allowances,
                                          source.policy)
        wanted = plan.desired
        failed = {r: classify(v, r) for r, v in readings.items() if isinstance(v, Exception)}
        current = {r: dict(v[0]) for r, v in readings.items() if r not in failed}
        usage = {r: v[1] for r, v in readings.items() if r not in failed}
        downs: dict[str, dict] = {r: {} for r in current}
        ups: dict[str, dict] = {}
        for name, per_region in wanted.items():
            down, up = quota_plan.split_writes({r: current[r].get(name) for r in current},
                                               per_region)
            for region, value in down.items():
                downs[region][name] = value
            ups[name] = up
        written = self._write(ctx, project, downs, current, failed)
        grants: dict[str, dict] = {}
        for name, up in ups.items():
            actual = {r: current[r].get(name) for r in current}
            for region in failed:  # unreachable or failed: its allowance stays counted
                row = allowances.get((name, region))
                actual[region] = current.get(region, {}).get(name) if region in current \
                    else (row.native_limit if row else None)
            up = {r: v for r, v in up.items() if r not in failed}
            for region, value in quota_plan.grant_increases(hard[name], actual, up,
                                                            policy).items():
                grants.setdefault(region, {})[name] = value
        written += self._write(ctx, project, grants, current, failed)
        store.record_regions(project, {r: (current[r], usage[r]) for r in current})
        webhook = ctx.options.get("webhook_url")
        quota_alerts.soft_limits(store, project, hard, soft, usage, allowances, failed, webhook)
        over = quota_alerts.hard_limits(store, ctx.db_url, project, hard, usage, current,
                                        allowances, failed, webhook)
        if failed:
            for region, failure in failed.items():
                store.add_event(project, "region_failed", detail=failure.message)
            done = [r for r in current if r not in failed]
            # 4xx everywhere (e.g. the project was deleted): retrying would not help
            raise RegionsFailed("; ".join(f.message for f in failed.values())
                                + f" (not rebalanced there; {len(done)} other "
                                  "region(s) rebalanced)",
                                transient=any(f.transient for f in failed.values()))
        return Outcome("rebalance", written > 0, project,
                       details={"limits_written": written, "policy": policy,
                                "over_limit": {n: o.over_by for n, o in over.items()}})

    def _write(self, ctx, project, per_region: dict[str, dict], current, failed) -> int:
        todo = {r: v for r, v in per_region.items() if v and r not in failed}

        def write(region):
            check_lease(ctx.lease, region)
            return write_project_limits(ctx.registry.connection(region), project, todo[region])

        count = 0
        for region, result in ctx.registry.fan_out(write, list(todo)).items():
            if isinstance(result, Exception):
                failed[region] = classify(result, region)
            else:
                current[region].update(result)
                count += len(result)
        return count
