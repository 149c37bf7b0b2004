"""`Resync`, the one loop of the controller model (docs/decisions/0004): it asks each
controller that is on which keys are due, every resync_interval of that controller, and puts
them in the work queue, where a key is never queued twice; the workers (embedded or Celery)
run them, and each run says when its key is due again."""
import logging
import threading
import time

from albatross.db.models import utcnow
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
        self._next: dict[str, float] = {}   # kind -> when to ask it next (monotonic)

    def once(self, everything: bool = True) -> list[str]:
        """Enqueue what is due now (of the controllers whose turn it is, unless
        `everything`); returns the ids of the items made (announced)."""
        made, now = [], time.monotonic()
        ctx = ControllerContext("", self.rt.registry, self.rt.health, self.rt.conf,
                                self.rt.store.db_url, submit=_no_submit)
        for controller in self.controllers:
            interval = controller.resync_interval(self.rt.conf)
            if interval <= 0 or not everything and self._next.get(controller.kind, 0) > now:
                continue
            self._next[controller.kind] = now + interval
            started, keys = utcnow(), 0
            try:
                for key in controller.due(ctx):
                    keys += 1
                    item = self.queue.enqueue(controller.kind, key)
                    if item:
                        made.append(item)
            except Exception as exc:
                LOG.warning("%s: what is due not known: %s", controller.kind,
                            type(exc).__name__)
                continue
            self.queue.mark_resync(controller.kind, started, keys)
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
            self.once(everything=False)
            wait = min(self._next.values(), default=time.monotonic() + 60) - time.monotonic()
            if self._stop.wait(min(max(wait, 0.05), 60)):
                return


def _no_submit(**_job):
    raise RuntimeError("`due` only names keys; jobs are made by `reconcile`")
