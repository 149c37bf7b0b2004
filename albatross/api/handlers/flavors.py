from albatross.api.router import Route
from albatross.api.schemas.common import JOB_ENVELOPE
from albatross.api.schemas.flavors import SYNC_REQUEST
from albatross.services import flavors as flavor_service


def sync_flavors(req):
    b = req.body
    sync = flavor_service.SyncRequest(b["source_region"], b["target_regions"], b["flavors"],
                                      b.get("force", False))
    return 202, {"job": flavor_service.request_sync(req.rt, req.caller, [sync])}


ROUTES = [
    Route("POST", "/v1/flavors/sync", sync_flavors,
          "Copy flavors from a source region to target regions (a job; admin)",
          policy="albatross:flavors:sync", body=SYNC_REQUEST, response=JOB_ENVELOPE,
          status=202, tags=("flavors",)),
]
