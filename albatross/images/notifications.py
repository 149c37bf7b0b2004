"""Glance notifications (image.create, update, upload, activate, delete) from each region's message bus,
so that an auto copy starts when the image changes rather than at the next poll. One
oslo.messaging listener per configured region; what they miss the poller still catches."""
import logging
import threading
from typing import Callable

LOG = logging.getLogger(__name__)
EVENTS = r"^image\.(create|update|upload|activate|delete)$"

OnEvent = Callable[[str, str, dict], object]  # (region, event type, payload)


class _Endpoint:
    def __init__(self, region: str, on_event: OnEvent):
        import oslo_messaging
        self.region, self.on_event = region, on_event
        self.filter_rule = oslo_messaging.NotificationFilter(event_type=EVENTS)
        self._handled = oslo_messaging.NotificationResult.HANDLED

    def info(self, ctxt, publisher_id, event_type, payload, metadata):
        try:
            self.on_event(self.region, event_type, payload)
        except Exception as exc:  # never requeue: a poison message would loop forever
            LOG.warning("%s: %s of image %s not handled: %s", self.region, event_type,
                        (payload or {}).get("id"), exc)
        return self._handled


class Listeners:
    """One listener per region, each started in its own thread: oslo.messaging keeps trying
    to reach a broker that is down, and that must not hold up the API."""

    def __init__(self, conf, on_event: OnEvent):
        self.conf, self.on_event, self.listeners = conf, on_event, []
        self._lock = threading.Lock()

    def start(self) -> "Listeners":
        for region, url in sorted(self.conf.image_sync.notification_urls.items()):
            threading.Thread(target=self._listen, args=(region, url), daemon=True,
                             name=f"glance-notifications-{region}").start()
        return self

    def _listen(self, region: str, url: str) -> None:
        # imported here: only servers that listen pay for oslo.messaging's imports
        import oslo_messaging
        opts = self.conf.image_sync
        target = oslo_messaging.Target(topic=opts.notification_topic,
                                       exchange=opts.notification_exchange)
        try:
            transport = oslo_messaging.get_notification_transport(self.conf, url=url)
            listener = oslo_messaging.get_notification_listener(
                transport, [target], [_Endpoint(region, self.on_event)],
                executor="threading",
                # one queue per region: regions sharing a broker must not share a queue
                pool=f"{opts.notification_pool}-{region}")
            listener.start()
        except Exception as exc:  # a bad URL: the poller still serves this region
            LOG.error("%s: not listening to Glance notifications: %s", region, exc)
            return
        with self._lock:
            self.listeners.append(listener)
        LOG.info("%s: listening to Glance notifications (topic %s, exchange %s)", region,
                 opts.notification_topic, opts.notification_exchange)

    def stop(self) -> None:
        with self._lock:
            listeners, self.listeners = self.listeners, []
        for listener in listeners:
            listener.stop()
            listener.wait()
