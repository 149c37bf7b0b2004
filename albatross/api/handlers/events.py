from albatross.api import authz, streams
from albatross.api.router import Route, StreamBody
from albatross.api.schemas.events import EVENT_PAGE, QUERY, STREAM_QUERY
from albatross.services import events as event_service


def list_events(req):
    return event_service.search(req.rt, req.caller, req.query)


def stream(req):
    return 200, StreamBody("text/event-stream", streams.bounded(
        req.rt, req.caller, lambda: event_service.tail(req.rt, req.caller, req.query)))


_TAGS = ("events",)
_EVERY_PROJECT = (authz.When("albatross:events:list:all_projects", authz.flag("all_projects"),
                             "all_projects=true"),)

ROUTES = [
    Route("GET", "/v1/events", list_events,
          "Events from every region's bus and the audit trail, newest first (filters, full "
          "text, cursor pages)", policy="albatross:events:list", query=QUERY,
          response=EVENT_PAGE, tags=_TAGS, requires=_EVERY_PROJECT),
    Route("GET", "/v1/events/stream", stream,
          "Live tail of matching events (server-sent events)", policy="albatross:events:list",
          query=STREAM_QUERY, response={"type": "string"}, tags=_TAGS,
          content_type="text/event-stream", requires=_EVERY_PROJECT),
]
