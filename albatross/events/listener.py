"""Every region's notifications (instances, images, volumes, ports, security groups, identity)
stored as events. One oslo.messaging listener per region, each in its own thread: a broker
that is down must not hold up the API, and oslo.messaging reconnects by itself."""
import datetime
import logging
import threading

from albatross.db.events import EventStore
from albatross.events.extract import extract

LOG = logging.getLogger(__name__)


class _Endpoint:
    def __init__(self, region: str, store: EventStore):
        import oslo_messaging
        self.region, self.store = region, store
        self._handled = oslo_messaging.NotificationResult.HANDLED

    def _record(self, ctxt, publisher_id, event_type, payload, metadata):
        try:
            f = extract(ctxt, publisher_id, event_type, payload)
            self.store.add(region=self.region, service=f.service, source="notification",
                           event_type=f.event_type[:255], project_id=f.project_id,
                           user_id=f.user_id, request_id=f.request_id,
                           resource_id=f.resource_id, summary=f.summary, payload=f.payload,
                           **_time(metadata))
        except Exception as exc:  # never requeue: a poison message would loop forever
            LOG.warning("%s: %s not stored: %s", self.region, event_type, type(exc).__name__)
        return self._handled

    audit = critical = debug = error = info = sample = warn = _record


def _time(metadata) -> dict:
    stamp = (metadata or {}).get("timestamp")
    try:
        return {"time": datetime.datetime.fromisoformat(stamp).replace(tzinfo=None)}
    except (TypeError, ValueError):
        return {}


class EventListeners:
    def __init__(self, conf, db_url: str):
        self.conf, self.store = conf, EventStore(db_url)
        self.listeners = []
        self._lock = threading.Lock()

    def start(self) -> "EventListeners":
        for region, url in sorted(self.conf.events.notification_urls.items()):
            threading.Thread(target=self._listen, args=(region, url), daemon=True,
                             name=f"events-{region}").start()
        return self

    def _listen(self, region: str, url: str) -> None:
        import oslo_messaging  # only servers that listen pay for its imports
        opts = self.conf.events
        topic = opts.notification_topics.get(region, "notifications")
        targets = [oslo_messaging.Target(topic=topic, exchange=e)
                   for e in opts.notification_exchanges]
        try:
            transport = oslo_messaging.get_notification_transport(self.conf, url=url)
            listener = oslo_messaging.get_notification_listener(
                transport, targets, [_Endpoint(region, self.store)], executor="threading",
                # a pool is one queue: one per region, else regions sharing a broker would
                # share it and a notification could be taken by another region's listener
                pool=f"{opts.notification_pool}-{region}")
            listener.start()
        except Exception as exc:
            LOG.error("%s: not listening to notifications: %s", region, type(exc).__name__)
            return
        with self._lock:
            self.listeners.append(listener)
        LOG.info("%s: listening to notifications (topic %s)", region, topic)

    def stop(self) -> None:
        with self._lock:
            listeners, self.listeners = self.listeners, []
        for listener in listeners:
            listener.stop()
            listener.wait()
