"""Glance notifications (image.create, update, upload, activate, delete) from each region's message bus,
so that an auto copy starts when the image changes rather than at the next poll, through one
listener per region (events/region_listeners.py); what they miss the poller still catches."""
import logging
from typing import Callable

from albatross.events.region_listeners import RegionListeners

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


def glance_listeners(conf, on_event: OnEvent) -> RegionListeners:
    """Listeners for every region of [image_sync] notification_urls; what they miss the
    poller still catches."""
    import oslo_messaging
    opts = conf.image_sync
    target = oslo_messaging.Target(topic=opts.notification_topic,
                                   exchange=opts.notification_exchange)
    return RegionListeners(conf, "Glance notifications", opts.notification_urls,
                           targets=lambda region: [target],
                           endpoint=lambda region: _Endpoint(region, on_event),
                           pool=opts.notification_pool)
