"""One oslo.messaging notification listener per region, each started in its own thread: a
broker that is down must not hold up the API, and oslo.messaging reconnects by itself. Each
region gets its own pool (one queue per region): regions sharing a broker must not share a
queue, or a notification could be taken by another region's listener. Used by the event
store (every notification) and by image auto mode (Glance's)."""
import logging
import threading
from typing import Callable

LOG = logging.getLogger(__name__)


class RegionListeners:
    def __init__(self, conf, what: str, urls: dict[str, str],
                 targets: Callable[[str], list], endpoint: Callable[[str], object],
                 pool: str):
        """`targets(region)`: the oslo.messaging Targets to listen to; `endpoint(region)`:
        the object whose methods (info, error, ...) get the region's notifications;
        `pool`: the prefix of each region's queue name."""
        self.conf, self.what, self.urls = conf, what, urls
        self.targets, self.endpoint, self.pool = targets, endpoint, pool
        self.listeners = []
        self._lock = threading.Lock()

    def start(self) -> "RegionListeners":
        for region, url in sorted(self.urls.items()):
            threading.Thread(target=self._listen, args=(region, url), daemon=True,
                             name=f"{self.what.replace(' ', '-')}-{region}").start()
        return self

    def _listen(self, region: str, url: str) -> None:
        import oslo_messaging  # only servers that listen pay for its imports
        try:
            targets = self.targets(region)
            transport = oslo_messaging.get_notification_transport(self.conf, url=url)
            listener = oslo_messaging.get_notification_listener(
                transport, targets, [self.endpoint(region)], executor="threading",
                pool=f"{self.pool}-{region}")
            listener.start()
        except Exception as exc:  # never the URL: it holds the broker's password
            LOG.error("%s: not listening to %s: %s", region, self.what, type(exc).__name__)
            return
        with self._lock:
            self.listeners.append(listener)
        LOG.info("%s: listening to %s (topic %s, exchange %s)", region, self.what,
                 ", ".join(sorted({t.topic for t in targets})),
                 ", ".join(sorted({t.exchange for t in targets})))

    def stop(self) -> None:
        with self._lock:
            listeners, self.listeners = self.listeners, []
        for listener in listeners:
            listener.stop()
            listener.wait()
