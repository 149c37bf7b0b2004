"""Reactive rebalancing: a region's create or delete notification (servers, volumes,
networks, ports, floating IPs, security groups...) makes Albatross look at that project at
once, not at the next periodic pass (docs/quota.md, "Reacting to notifications").

A notification queues the work item (project, region) of the `quota_reaction` controller,
due [quota] react_min_interval later: the work queue gathers a burst into one run per
notifying region (a key is never queued twice, and never pushed back). The run reads that
region's usage live (the others' from the last reading) and starts a rebalance job only if
it would help: usage over the global limit (to record it, tell it and clamp every region),
or a region near its share while the plan would give it more. While a rebalance of the
project runs, the item comes back after the same delay to look again."""
import logging
import re
import threading
import time
from collections import OrderedDict

from albatross.quota import plan as quota_plan
from albatross.quota.overshoot import worth_rebalancing
from albatross.reconcilers.quotas import QuotaReconciler
from albatross.regions.quotas import read_project_quotas
from albatross.services import quotas as quota_service
from albatross.services.caller import Caller
from albatross.services.runtime import Runtime

LOG = logging.getLogger(__name__)
# what changes a counted resource: Nova's legacy format (and its conductor's build failure,
# which is how an over-quota recheck ends), Cinder's, Neutron's
RESOURCE_EVENTS = re.compile(
    r"^(compute\.instance\.(create|delete)\.(start|end)|compute_task\.build_instances"
    r"|(volume|snapshot|backup)\.(create|delete)\.(start|end)"
    r"|(network|subnet|port|router|floatingip|security_group|security_group_rule)"
    r"\.(create|delete)\.end)$")


CONTROLLER = "quota_reaction"   # keys: "<project>|<region>"


def item_key(project_id: str, region: str) -> str:
    return f"{project_id}|{region}"


class QuotaWatch:
    """The listeners' side: which notifications count, and their items queued. A key this
    process queued within the delay is not written again (a burst costs one database write
    per project and region), and at most [quota] react_max_pending keys wait at once."""

    def __init__(self, rt: Runtime):
        self.rt, opts = rt, rt.conf.quota
        self.delay, self.max_pending = opts.react_min_interval, opts.react_max_pending
        self._queued: OrderedDict[str, float] = OrderedDict()   # key -> when (monotonic)
        self._lock = threading.Lock()

    def notify(self, region: str, event_type: str, project_id: str | None) -> bool:
        """Note a notification; True if it is one this watch acts on."""
        if not project_id or not RESOURCE_EVENTS.match(event_type or ""):
            return False
        key, now = item_key(project_id, region), time.monotonic()
        with self._lock:
            if now - self._queued.get(key, -self.delay - 1) < self.delay:
                return True    # queued by us a moment ago: the run will see this one too
            while self._queued and now - next(iter(self._queued.values())) >= self.delay:
                self._queued.popitem(last=False)     # due already: no longer gathering
            if len(self._queued) >= self.max_pending:
                return False   # left to the periodic pass
            self._queued[key] = now
            self._queued.move_to_end(key)
        item = self.rt.work_queue.enqueue(CONTROLLER, key, after=self.delay)
        if item:
            self.rt.dispatcher.dispatch([item], self.delay)
        return True


def react(rt: Runtime, key: str) -> tuple[str | None, bool]:
    """The controller's run for one (project, region): read the region, decide, maybe start
    a rebalance. Returns (the job started, whether to look again later: a rebalance of the
    project was still running)."""
    project, _, region = key.partition("|")
    store = rt.quotas
    if not quota_service.governed(rt, store, project):
        return None, False
    if rt.store.unfinished_tasks(QuotaReconciler.resource_type, [project]):
        return None, True   # its outcome changes what we would decide: look once it is done
    limits_read, usage_read = read_project_quotas(rt.registry.connection(region), project)
    store.record_region(project, region, limits_read, usage_read)
    usage, limits = {}, {}
    for (name, where), row in store.allowances(project).items():
        usage.setdefault(where, {})[name] = row.usage
        limits.setdefault(where, {})[name] = row.native_limit
    hard, _soft, _klass = store.effective(project)
    recorded = {r: v["total_usage"] for r, v in store.overshoots(project).items()}
    opts = rt.conf.quota
    why = worth_rebalancing(hard, usage, limits, opts.near_percent, recorded,
                            opts.policy or quota_plan.STRICT)
    if not why:
        return None, False
    caller = Caller(user_id="albatross", project_id=rt.registry.service_project_id(),
                    is_admin=True)
    job = quota_service.request_rebalance(rt, caller, [project], origin="notification")
    LOG.info("project %s: rebalance %s after a notification from %s (%s)", project,
             job["id"], region, ", ".join(why))
    return job["id"], False
