"""Lazy mode: "make sure image X is ACTIVE in region R", for boot scripts and tooling. The
first request starts one copy; concurrent requests for the same (image, region) find its job
through a DB lease and answer with that same job (Glance's own cache has no such single
flight). The request never waits for the copy: 202 names the job, which the client follows
(`albatross image ensure --wait` does)."""
import time

from albatross.db import locks
from albatross.db.mappings import MappingStore
from albatross.exceptions import BadRequest, NotFound, UpstreamUnavailable
from albatross.images import meta
from albatross.db import job_states as states
from albatross.regions import images as glance
from albatross.services import image_modes
from albatross.services import delegation
from albatross.services import images as image_service
from albatross.services import regions as region_service
from albatross.services.caller import Caller
from albatross.services.runtime import Runtime

FLIGHT_TTL = 3600.0


def _copy_in(rt: Runtime, image: meta.ImageState, source: str, region: str) -> str | None:
    """The id of an ACTIVE, identical copy of `image` in `region`, if there is one."""
    conn = rt.registry.connection(region)
    row = MappingStore(rt.store.db_url, "image", image.owner or "", "", source,
                       region).load().get(image.id)
    for candidate in ([row.target_id] if row else []) + [image.id]:
        found = glance.read_image(conn, candidate)
        if found is not None and found.status == "active" and found.same_bytes(image):
            return found.id
    return None


def _find_source(rt: Runtime, caller: Caller, image_id: str, region: str,
                 source: str | None) -> tuple[str, meta.ImageState]:
    if source:
        region_service.require_regions(rt, [source], "source_region")
        return source, image_service.read_visible(rt, caller, source, image_id, "image_id")
    # the image's sync setting names where it comes from: look there first
    preferred = image_modes.default_source(rt, caller, image_id)
    for name in sorted(region_service.region_names(rt), key=lambda r: r != preferred):
        if name == region:
            continue
        try:
            return name, image_service.read_visible(rt, caller, name, image_id, "image_id")
        except (NotFound, BadRequest, UpstreamUnavailable):
            continue
    raise NotFound(f"image {image_id} is in no other region you can read", field="image_id")


def _raw(rt: Runtime, job_id: str):
    job, tasks = rt.store.get_job(job_id)
    counts: dict[str, int] = {}
    for t in tasks:
        counts[t.status] = counts.get(t.status, 0) + 1
    return job, counts, tasks


def ensure(rt: Runtime, caller: Caller, image_id: str, region: str, *,
           source_region: str | None = None) -> tuple[int, dict]:
    """(200, body) when an ACTIVE copy is in `region`; else (202, body) with the job making
    it (the one in flight, or a new one: after a failed copy, asking again retries)."""
    region_service.require_regions(rt, [region], "region")
    here = glance.read_image(rt.registry.connection(region), image_id)
    if here is not None and here.status == "active" and \
            image_service.visible_to(rt.registry.connection(region), here, caller):
        return 200, {"image": {"id": here.id, "region": region, "status": "active",
                               "copied": False}}
    source, image = _find_source(rt, caller, image_id, region, source_region)
    existing = _copy_in(rt, image, source, region)
    if existing:
        return 200, {"image": {"id": existing, "region": region, "status": "active",
                               "copied": False}}
    job_id = _single_flight(rt, caller, image, source, region)
    _job, counts, _tasks = _raw(rt, job_id)
    return 202, {"job_id": job_id, "image": {"id": None, "region": region, "copied": True,
                                             "status": states.job_status(counts).lower()}}


def _single_flight(rt: Runtime, caller: Caller, image: meta.ImageState, source: str,
                   region: str) -> str:
    """The job copying `image` to `region`: the one in flight, or a new one."""
    name = f"ensure:{image.id}:{region}"
    for _ in range(20):
        running = locks.holder(rt.store.db_url, name)
        if running:
            found = rt.store.get_job(running)
            if found and states.job_status(_raw(rt, running)[1]) not in (
                    states.SUCCESS, states.FAILED):
                return running
        job = image_service.request_sync(
            rt, caller, image_service.SyncRequest(source, [region], [image.id]),
            origin="ensure", params={"ensure": True}, dispatch=False)
        if locks.acquire(rt.store.db_url, name, job["id"], FLIGHT_TTL):
            rt.dispatcher.dispatch([t["id"] for t in job["tasks"]])
            return job["id"]
        rt.store.delete_job(job["id"])  # lost the race: wait on the winner's job
        delegation.release(rt, "job", job["id"])
        time.sleep(0.1)
    raise UpstreamUnavailable("could not start or join the copy; try again", field="region")
