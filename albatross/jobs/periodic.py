"""Periodic work: every [quota] rebalance_interval, one job rebalancing every project; every
[sync] audit_check_interval, the audits of the sync policies that are due. Several workers may
run this; a job is made only if no periodic one was made recently (audits: a compare-and-set
per policy), and a duplicate would only repeat idempotent work."""
import datetime
import logging
import threading

from sqlalchemy import func, select

from albatross.db.engine import session_scope
from albatross.db.models import Job, utcnow
from albatross.db.quotas import QuotaStore
from albatross.services import quotas as quota_service
from albatross.services.caller import Caller

LOG = logging.getLogger(__name__)
KIND = "quota_rebalance"


def last_periodic_job(db_url: str) -> datetime.datetime | None:
    with session_scope(db_url) as s:
        return s.scalar(select(func.max(Job.created_at)).where(Job.kind == KIND,
                                                               Job.origin == "periodic"))


def rebalance_all(rt, interval: float, all_projects: bool = False) -> str | None:
    """Start the periodic job if it is due; returns its id."""
    last = last_periodic_job(rt.store.db_url)
    if last and utcnow() - last < datetime.timedelta(seconds=interval * 0.9):
        return None
    if any(j.origin == "periodic" for j, _ in rt.store.list_jobs(
            project_id=None, kind=KIND, active_only=True, limit=1000)):
        return None  # the last one is still running: never pile jobs up
    projects = set(QuotaStore(rt.store.db_url).projects_with_settings())
    if all_projects:
        projects |= set(rt.registry.project_ids())
    if not projects:
        return None
    caller = Caller(user_id="albatross", project_id=rt.registry.service_project_id(),
                    is_admin=True)
    job = quota_service.request_rebalance(rt, caller, sorted(projects), origin="periodic")
    LOG.info("periodic quota rebalance of %d projects: job %s", len(projects), job["id"])
    return job["id"]


class PeriodicRebalance:
    def __init__(self, rt, interval: float, all_projects: bool = False):
        self.rt, self.interval, self.all_projects = rt, interval, all_projects
        self._stop = threading.Event()

    def start(self):
        if self.interval > 0:
            threading.Thread(target=self._loop, name="periodic-quota", daemon=True).start()

    def stop(self):
        self._stop.set()

    def _loop(self):
        while not self._stop.wait(min(self.interval, 60)):
            try:
                rebalance_all(self.rt, self.interval, self.all_projects)
            except Exception as exc:
                LOG.warning("periodic quota rebalance not started: %s", type(exc).__name__)


class PeriodicAudits:
    """Starts the sync-policy audits that are due, and removes half image copies that a
    failed copy could not remove while their region was down."""

    def __init__(self, rt, check_interval: float):
        self.rt, self.check_interval = rt, check_interval
        self._stop = threading.Event()

    def start(self):
        if self.check_interval > 0:
            threading.Thread(target=self._loop, name="periodic-audits", daemon=True).start()

    def stop(self):
        self._stop.set()

    def _loop(self):
        from albatross.services.images import remove_unfinished
        from albatross.services.rollouts import advance_rollouts
        from albatross.services.sync_policies import audit_due
        while not self._stop.wait(self.check_interval):
            try:
                started = audit_due(self.rt)
                if started:
                    LOG.info("started %d sync-policy audit(s)", len(started))
                if remove_unfinished(self.rt):
                    LOG.info("removed unfinished image copies")
            except Exception as exc:
                LOG.warning("periodic sync work not done: %s", type(exc).__name__)
            try:
                advance_rollouts(self.rt)
            except Exception as exc:
                LOG.warning("image rollouts not advanced: %s", type(exc).__name__)
            try:
                from albatross.services.image_auto import poll_auto
                poll_auto(self.rt)
            except Exception as exc:
                LOG.warning("image auto poll not done: %s", type(exc).__name__)


class PeriodicAddressRefresh:
    """Keeps the address inventories in use current ([addresses] refresh_interval), in its
    own thread: a long full read never delays audits."""

    def __init__(self, rt):
        self.rt = rt
        self._stop = threading.Event()

    def start(self):
        if self.rt.conf.addresses.refresh_interval > 0:
            threading.Thread(target=self._loop, name="periodic-addresses",
                             daemon=True).start()

    def stop(self):
        self._stop.set()

    def _loop(self):
        from albatross.services.addresses import refresh_due
        while not self._stop.wait(min(self.rt.conf.addresses.refresh_interval, 30)):
            try:
                refresh_due(self.rt)
            except Exception as exc:
                LOG.warning("address inventories not refreshed: %s", type(exc).__name__)


class PeriodicLogPurge:
    """Drops log lines older than [logs] retention_days and events older than [events]
    retention_days, every [logs] purge_interval. Runs in every API process whatever the
    executor: two purges at once only delete the same rows."""

    def __init__(self, rt):
        self.rt = rt
        self._stop = threading.Event()

    def start(self):
        if self.rt.conf.logs.purge_interval > 0:
            threading.Thread(target=self._loop, name="periodic-log-purge", daemon=True).start()
        return self

    def stop(self):
        self._stop.set()

    def _loop(self):
        from albatross.services.events import purge as purge_events
        from albatross.services.logs import purge_expired
        while not self._stop.wait(self.rt.conf.logs.purge_interval):
            for what, purge in (("log lines", purge_expired), ("events", purge_events)):
                try:
                    purge(self.rt)
                except Exception as exc:
                    LOG.warning("%s not purged: %s", what, type(exc).__name__)
