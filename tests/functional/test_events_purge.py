"""Events older than [events] retention_days are deleted; newer ones stay."""
import datetime

from albatross.db.events import EventStore
from albatross.db.models import utcnow
from albatross.services import events as event_service


def test_purge_keeps_events_inside_the_retention(api):
    store = EventStore(api.rt.store.db_url)
    days = api.rt.conf.events.retention_days
    common = dict(region="R1", service="image", source="notification", event_type="image.create",
                  summary="image.create old", payload={})
    old = store.add(time=utcnow() - datetime.timedelta(days=days + 1), **common)
    new = store.add(time=utcnow() - datetime.timedelta(days=days - 1), **common)
    assert event_service.purge(api.rt) == 1
    left = {e.id for e in store.search(project_id=None, limit=10)}
    assert new in left and old not in left
