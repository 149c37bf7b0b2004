from albatross.api.router import Route
from albatross.api.schemas.common import JOB_ENVELOPE, UUID
from albatross.api.schemas.images import ENSURE_REQUEST, ENSURE_RESPONSE, SYNC_REQUEST
from albatross.services import image_ensure
from albatross.services import images as image_service


def sync_images(req):
    b = req.body
    job = image_service.request_sync(req.rt, req.caller, image_service.SyncRequest(
        b["source_region"], b["target_regions"], b["images"], b.get("force", False)))
    return 202, {"job": job}


def ensure_image(req):
    b = req.body
    return image_ensure.ensure(req.rt, req.caller, req.params["image_id"], b["region"],
                               source_region=b.get("source_region"))


_TAGS = ("images",)

ROUTES = [
    Route("POST", "/v1/images/sync", sync_images,
          "Copy images to target regions: one download, every target at once (a job)",
          policy="albatross:images:sync", body=SYNC_REQUEST, response=JOB_ENVELOPE,
          status=202, tags=_TAGS),
    Route("POST", "/v1/images/{image_id}/ensure", ensure_image,
          "Lazy mode: answer when the image is ACTIVE in the region, copying it first if "
          "needed (concurrent requests share one copy); 202 if still copying after `wait`",
          policy="albatross:images:ensure", body=ENSURE_REQUEST, response=ENSURE_RESPONSE,
          tags=_TAGS, path_params={"image_id": UUID}),
]
