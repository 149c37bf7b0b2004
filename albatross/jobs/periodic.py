"""Background work. `Resync` is the one loop of the controller model: every [jobs]
resync_interval it asks each controller that is on which keys are due and puts them in the
work queue, where a key is never queued twice; the workers (embedded or Celery) run them,
and each run says when its key is due again. The loops below it are the work not yet moved
into controllers (docs/decisions/0004)."""
import logging
import threading

from albatross.db.work_queue import WorkQueue
from albatross.reconcilers.base import ControllerContext
from albatross.reconcilers.registry import CONTROLLERS

LOG = logging.getLogger(__name__)


class Resync:
    def __init__(self, rt, controllers=None):
        self.rt = rt
        self.controllers = list(CONTROLLERS.values()) if controllers is None else controllers
        self.queue = WorkQueue(rt.store.db_url)
        self._stop = threading.Event()

    def once(self) -> list[str]:
        """Enqueue what is due now; returns the ids of the items made (announced)."""
        made = []
        for controller in self.controllers:
            if controller.resync_interval(self.rt.conf) <= 0:
                continue
            try:
                ctx = ControllerContext("", self.rt.registry, self.rt.health, self.rt.conf,
                                        self.rt.store.db_url, submit=_no_submit)
                for key in controller.due(ctx):
                    item = self.queue.enqueue(controller.kind, key)
                    if item:
                        made.append(item)
            except Exception as exc:
                LOG.warning("%s: what is due not known: %s", controller.kind,
                            type(exc).__name__)
        if made:
            self.rt.dispatcher.dispatch(made)
        return made

    def start(self) -> "Resync":
        threading.Thread(target=self._loop, name="resync", daemon=True).start()
        return self

    def stop(self):
        self._stop.set()

    def _loop(self):
        while True:
            self.once()
            if self._stop.wait(self.rt.conf.jobs.resync_interval):
                return


def _no_submit(**_job):
    raise RuntimeError("`due` only names keys; jobs are made by `reconcile`")


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
