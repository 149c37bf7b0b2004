"""Every region's notifications (instances, images, volumes, ports, security groups, identity)
stored as events, through one listener per region (events/region_listeners.py), and handed
to whoever else reacts to them (reactive quota rebalancing) on the same queue."""
import datetime
import logging
from typing import Callable

from albatross.db.events import EventStore
from albatross.events.extract import extract
from albatross.events.region_listeners import RegionListeners

LOG = logging.getLogger(__name__)
# (region, event type, owning project): told of every notification after it is stored
OnEvent = Callable[[str, str, str | None], object]


class _Endpoint:
    def __init__(self, region: str, store: EventStore, on_event: OnEvent | None = None):
        import oslo_messaging
        self.region, self.store, self.on_event = region, store, on_event
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
        if self.on_event is not None:
            try:
                self.on_event(self.region, f.event_type, f.owner_id)
            except Exception as exc:
                LOG.warning("%s: %s not handled: %s", self.region, event_type,
                            type(exc).__name__)
        return self._handled

    audit = critical = debug = error = info = sample = warn = _record


def _time(metadata) -> dict:
    stamp = (metadata or {}).get("timestamp")
    try:
        return {"time": datetime.datetime.fromisoformat(stamp).replace(tzinfo=None)}
    except (TypeError, ValueError):
        return {}


def event_listeners(conf, db_url: str, on_event: OnEvent | None = None) -> RegionListeners:
    """Listeners for every region of [events] notification_urls, storing what they get and
    then telling `on_event`."""
    import oslo_messaging
    opts, store = conf.events, EventStore(db_url)
    return RegionListeners(
        conf, "notifications", opts.notification_urls,
        targets=lambda region: [
            oslo_messaging.Target(topic=opts.notification_topics.get(region, "notifications"),
                                  exchange=e) for e in opts.notification_exchanges],
        endpoint=lambda region: _Endpoint(region, store, on_event), pool=opts.notification_pool)
