"""Reactive rebalancing: a region's create or delete notification (servers, volumes,
networks, ports, floating IPs, security groups...) makes Albatross look at that project at
once, not at the next periodic pass (docs/quota.md, "Reacting to notifications").

Notifications of one project are gathered for [quota] react_min_interval; then the notifying
regions' usage is read live (the others' from the last reading), and a rebalance job is
started only if it would help: usage over the global limit (to record it, tell it and clamp
every region), or a region near its share while the plan would give it more."""
import logging
import re
import threading
import time

from albatross.db.quotas import QuotaStore
from albatross.quota import plan as quota_plan
from albatross.quota.overshoot import worth_rebalancing
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


class QuotaWatch:
    def __init__(self, rt: Runtime):
        self.rt, opts = rt, rt.conf.quota
        self.near, self.delay = opts.near_percent, opts.react_min_interval
        self.max_pending, self.policy = opts.react_max_pending, opts.policy
        self._pending: dict[str, tuple[float, set[str]]] = {}  # project -> (due, regions)
        self._last: dict[str, float] = {}       # project -> when it was last looked at
        self._jobs: dict[str, str] = {}         # project -> its last reactive job
        self._cond = threading.Condition()
        self._stop = False
        self.started_jobs = 0

    # ---- called by the listeners' threads -------------------------------------------------
    def notify(self, region: str, event_type: str, project_id: str | None) -> bool:
        """Note a notification; True if it is one this watch acts on."""
        if not project_id or not RESOURCE_EVENTS.match(event_type or ""):
            return False
        with self._cond:
            entry = self._pending.get(project_id)
            if entry is None:
                if len(self._pending) >= self.max_pending:
                    return False
                due = max(time.monotonic() + self.delay,
                          self._last.get(project_id, 0) + self.delay)
                self._pending[project_id] = (due, {region})
            else:
                entry[1].add(region)
            self._cond.notify()
        return True

    # ---- the watch's own thread -------------------------------------------------------------
    def start(self) -> "QuotaWatch":
        threading.Thread(target=self._loop, name="quota-watch", daemon=True).start()
        return self

    def stop(self) -> None:
        with self._cond:
            self._stop = True
            self._cond.notify()

    def _loop(self) -> None:
        while True:
            with self._cond:
                while not self._stop and not self._due():
                    self._cond.wait(self._wait_time())
                if self._stop:
                    return
                now = time.monotonic()
                ready = [(p, regions) for p, (due, regions) in self._pending.items()
                         if due <= now]
                for project, _ in ready:
                    del self._pending[project]
                    self._last[project] = now
                if len(self._last) > self.max_pending:  # forget the oldest
                    for project in sorted(self._last, key=self._last.get)[:len(self._last) // 2]:
                        del self._last[project]
            for project, regions in ready:
                try:
                    self.look_at(project, sorted(regions))
                except Exception as exc:  # the periodic pass is still there
                    LOG.warning("project %s: usage not looked at after a notification: %s",
                                project, type(exc).__name__)

    def _due(self) -> bool:
        now = time.monotonic()
        return any(due <= now for due, _ in self._pending.values())

    def _wait_time(self) -> float | None:
        if not self._pending:
            return None
        return max(0.01, min(d for d, _ in self._pending.values()) - time.monotonic())

    def _again_later(self, project: str, regions: list[str]) -> None:
        with self._cond:
            due, known = self._pending.get(project, (time.monotonic() + self.delay, set()))
            self._pending[project] = (due, known | set(regions))
            self._cond.notify()

    # ---- the decision -------------------------------------------------------------------------
    def look_at(self, project: str, regions: list[str]) -> str | None:
        """Read the notifying regions, decide, maybe start a rebalance; returns its job id."""
        store = QuotaStore(self.rt.store.db_url)
        if not quota_service.governed(self.rt, store, project):
            return None
        job_id = self._jobs.pop(project, None)
        if job_id and self.rt.store.unfinished(job_id):
            self._jobs[project] = job_id
            self._again_later(project, regions)   # look once more when it is done
            return None
        for region, reading in self.rt.registry.fan_out(
                lambda r: read_project_quotas(self.rt.registry.connection(r), project),
                regions).items():
            if not isinstance(reading, Exception):
                store.record_region(project, region, reading[0], reading[1])
        usage, limits = {}, {}
        for (name, region), row in store.allowances(project).items():
            usage.setdefault(region, {})[name] = row.usage
            limits.setdefault(region, {})[name] = row.native_limit
        hard, _soft, _klass = store.effective(project)
        recorded = {r: v["total_usage"] for r, v in store.overshoots(project).items()}
        why = worth_rebalancing(hard, usage, limits, self.near, recorded,
                                self.policy or quota_plan.STRICT)
        if not why:
            return None
        caller = Caller(user_id="albatross", project_id=self.rt.registry.service_project_id(),
                        is_admin=True)
        job = quota_service.request_rebalance(self.rt, caller, [project],
                                              origin="notification")
        self._jobs[project] = job["id"]
        self.started_jobs += 1
        LOG.info("project %s: rebalance %s after notifications from %s (%s)", project,
                 job["id"], ", ".join(regions), ", ".join(why))
        return job["id"]
