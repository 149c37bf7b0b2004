"""Every controller of the one model (docs/decisions/0004), for the wiring (cmd/) to hand to
the resync loop and the workers. The ones here run work whose steps are the service layer's
own (a periodic audit is the API's audit; a rollout step is what an approval does), so they
live beside it; jobs/ and reconcilers/ never import this module."""
from albatross.reconcilers.base import Controller, ControllerContext, Outcome
from albatross.db.work_queue import RESYNC
from albatross.reconcilers.registry import CONTROLLERS
from albatross.services import addresses, events, image_auto, images, logs, rollouts
from albatross.services import quota_watch, sync_policies, work_items
from albatross.services.runtime import Runtime


class _OfRuntime(Controller):
    def __init__(self, rt: Runtime):
        self.rt = rt


class _OnAuditChecks(_OfRuntime):
    """Asked what is due every [sync] audit_check_interval (the periodic sync work)."""

    def resync_interval(self, conf) -> float:
        return conf.sync.audit_check_interval


class SyncPolicyAudits(_OnAuditChecks):
    """One key per sync policy whose audit is due; a run starts its audit job."""
    kind = "sync_policy_audit"

    def due(self, ctx: ControllerContext) -> list[str]:
        return sync_policies.audits_due(self.rt)

    def reconcile(self, ctx: ControllerContext) -> Outcome:
        job_id = sync_policies.audit_if_due(self.rt, ctx.key)
        return Outcome("started" if job_id else "none", False, details={"job_id": job_id})


class LeftoverCopies(_OnAuditChecks):
    """One key per half image copy that its failed copy could not remove."""
    kind = "image_leftover"

    def due(self, ctx: ControllerContext) -> list[str]:
        return images.unfinished_copies(self.rt)

    def reconcile(self, ctx: ControllerContext) -> Outcome:
        removed = images.remove_unfinished(self.rt, ctx.key)
        return Outcome("delete" if removed else "none", removed)


class Rollouts(_OnAuditChecks):
    """One key per running or rolling-back image rollout; a run takes the steps it can."""
    kind = rollouts.CONTROLLER

    def due(self, ctx: ControllerContext) -> list[str]:
        return rollouts.moving(self.rt)

    def reconcile(self, ctx: ControllerContext) -> Outcome:
        moved = rollouts.advance(self.rt, ctx.key)
        return Outcome("advance" if moved else "none", moved)


class ImageAutoMode(_OnAuditChecks):
    """One key per project with an auto image setting; a run is one poll of it (asked for
    by the resync and by the project's Glance notifications)."""
    kind = image_auto.CONTROLLER

    def due(self, ctx: ControllerContext) -> list[str]:
        return image_auto.auto_projects(self.rt)

    def reconcile(self, ctx: ControllerContext) -> Outcome:
        poll = image_auto.poll_project(self.rt, ctx.key)
        return Outcome("started" if poll.started else "none", False,
                       details={"jobs": poll.started},
                       requeue_after=image_auto.SETTLE_RECHECK if poll.settling else None)


class AddressRefresh(_OfRuntime):
    """One key per project whose address inventory is in use and due a read."""
    kind = "address_refresh"

    def resync_interval(self, conf) -> float:
        return conf.addresses.refresh_interval

    def due(self, ctx: ControllerContext) -> list[str]:
        return addresses.refreshes_due(self.rt)

    def reconcile(self, ctx: ControllerContext) -> Outcome:
        read = addresses.refresh_if_due(self.rt, ctx.key)
        return Outcome("refresh" if read else "none", False)


class QuotaReactions(_OfRuntime):
    """One key per (project, region) a counted resource's notification came from; queued by
    the notification only (no resync), a run is one look at that region's usage."""
    kind = quota_watch.CONTROLLER

    def resync_interval(self, conf) -> float:
        return 0.0

    def reconcile(self, ctx: ControllerContext) -> Outcome:
        job_id, later = quota_watch.react(self.rt, ctx.key)
        # while a rebalance of the project runs: look again, never in a tight loop
        again = max(self.rt.conf.quota.react_min_interval, 0.5)
        return Outcome("started" if job_id else "none", False, details={"job_id": job_id},
                       requeue_after=again if later else None)


class RetentionPurge(_OfRuntime):
    """One key: log lines older than [logs] retention_days, events older than [events]
    retention_days and controller items idle for a day go, every [logs] purge_interval."""
    kind = "retention_purge"

    def resync_interval(self, conf) -> float:
        return conf.logs.purge_interval

    def reconcile(self, ctx: ControllerContext) -> Outcome:
        removed = {"log_lines": logs.purge_expired(self.rt), "events": events.purge(self.rt),
                   "idle_items": work_items.purge_idle(self.rt)}
        return Outcome("purge", any(removed.values()), details=removed,
                       requeue_after=self.rt.conf.logs.purge_interval or None)  # 0: off


_MINE = (SyncPolicyAudits, LeftoverCopies, Rollouts, ImageAutoMode, AddressRefresh,
         QuotaReactions, RetentionPurge)
KINDS = sorted([*CONTROLLERS, *(c.kind for c in _MINE)])
# what GET /v1/work-items shows: the controllers' items and, per controller, the resync's
# last pass (kind "resync", key: the controller)
ITEM_KINDS = sorted([*KINDS, RESYNC])


def controllers(rt: Runtime) -> dict[str, Controller]:
    """kind -> controller: the reconcilers' own and the service layer's."""
    return {**CONTROLLERS, **{c.kind: c(rt) for c in _MINE}}
