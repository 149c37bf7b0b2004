from albatross.api.router import Route
from albatross.api.schemas.work_items import ITEM_LIST, QUERY
from albatross.services import work_items


def list_items(req):
    return work_items.list_items(req.rt, req.query)


ROUTES = [
    Route("GET", "/v1/work-items", list_items,
          "The controllers' work queue: what is queued, running, backing off or idle, and "
          "when each key was last looked at", policy="albatross:work_items:list",
          tags=("work-items",), response=ITEM_LIST, query=QUERY),
]
