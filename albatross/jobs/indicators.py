"""The indicator collector's loop: a round every [indicators] collect_interval (the first
at once), in its own thread so a slow region never delays other periodic work."""
import logging
import threading
import time

from albatross.jobs.worker import worker_identity
from albatross.services import indicators as indicator_service

LOG = logging.getLogger(__name__)


class PeriodicIndicators:
    def __init__(self, rt):
        self.rt = rt
        self.settings = indicator_service.settings(rt.conf)  # malformed: fails at start
        self.owner = worker_identity("indicators")
        self._stop = threading.Event()

    def start(self) -> "PeriodicIndicators":
        if self.settings.interval > 0:
            threading.Thread(target=self._loop, name="periodic-indicators",
                             daemon=True).start()
        return self

    def stop(self):
        self._stop.set()

    def _loop(self):
        while True:
            started = time.monotonic()
            try:
                indicator_service.collect_due(self.rt, self.settings, self.owner)
            except Exception as exc:
                LOG.warning("indicators not collected: %s", type(exc).__name__)
            wait = self.settings.interval - (time.monotonic() - started)
            if self._stop.wait(max(wait, 0.0)):
                return
