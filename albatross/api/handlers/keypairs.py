from albatross.api import authz
from albatross.api.router import Route
from albatross.api.schemas.common import JOB_ENVELOPE
from albatross.api.schemas.keypairs import SYNC_REQUEST
from albatross.services import keypairs as keypair_service


def sync_keypairs(req):
    b = req.body
    sync = keypair_service.SyncRequest(b["source_region"], b["target_regions"], b["keypairs"],
                                       b.get("force", False))
    job = keypair_service.request_sync(req.rt, req.caller, [sync], user_id=b.get("user_id"))
    return 202, {"job": job}


ROUTES = [
    Route("POST", "/v1/keypairs/sync", sync_keypairs,
          "Copy keypairs from a source region to target regions (a job)",
          policy="albatross:keypairs:sync", body=SYNC_REQUEST, response=JOB_ENVELOPE,
          status=202, tags=("keypairs",),
          requires=(authz.When("albatross:keypairs:sync:other_user", authz.other_user("user_id"),
                               "a user_id other than the caller's"),)),
]
