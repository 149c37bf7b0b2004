"""Image sync: who may copy which image (Glance's visibility rules, read with the service's
own credentials), the source snapshot, and jobs of one task per (image, target region) that
the workers serve as one download fanned out to every target."""
import uuid
from dataclasses import dataclass

from albatross.db import locks, mappings
from albatross.db.trusts import TrustGrant
from albatross.exceptions import BadRequest, Forbidden, NotFound, UpstreamUnavailable
from albatross.images import meta
from albatross.images.meta import ImageState
from albatross.db.jobs import TaskSpec
from albatross.reconcilers import images as image_copies
from albatross.regions import images as glance
from albatross.services import delegation
from albatross.services import jobs as job_service
from albatross.services import regions as region_service
from albatross.services.caller import Caller
from albatross.regions import errors as region_errors
from albatross.services.runtime import Runtime

KIND = "image_sync"


def visible_to(conn, image: ImageState, caller: Caller) -> bool:
    """Glance's rules: the owner, anyone for public and community images, members of a
    shared one; an admin sees every image."""
    if caller.allows(image.owner):
        return True
    visibility = image.fields.get("visibility")
    if visibility in ("public", "community"):
        return True
    if visibility == "shared":
        return glance.member_status(conn, image.id, caller.project_id) in ("accepted",
                                                                           "pending")
    return False


def read_visible(rt: Runtime, caller: Caller, region: str, image_id: str,
                 field: str = "images") -> ImageState:
    """The image as the caller may see it, or a 404 that reveals nothing."""
    try:
        conn = rt.registry.connection(region)
        image = glance.read_image(conn, image_id)
        if image is not None and not visible_to(conn, image, caller):
            image = None
    except (*region_errors.UNREACHABLE, region_errors.NoEndpoint, region_errors.SDKError) as exc:
        raise UpstreamUnavailable(f"cannot read image {image_id} from {region}: "
                                  f"{type(exc).__name__}")
    if image is None:
        raise NotFound(f"image {image_id} not found in {region}", field=field)
    if image.status != "active":
        raise BadRequest(f"image {image_id} is {image.status} in {region}; only active "
                         "images can be copied", field=field)
    return image


def with_references(rt: Runtime, caller: Caller, region: str,
                    image: ImageState) -> list[ImageState]:
    """An AMI's kernel and ramdisk images first, then the image itself."""
    out = []
    for key in meta.REFERENCES:
        ref = image.fields.get(key)
        if ref:
            out.append(read_visible(rt, caller, region, ref))
    return out + [image]


@dataclass(frozen=True)
class SyncRequest:
    source_region: str
    target_regions: object
    images: list
    force: bool = False


def specs_for(images: list[ImageState], source: str, targets: list[str], force: bool,
              **payload) -> list[TaskSpec]:
    return [TaskSpec("image", img.id, source, t, force, {"source": img.to_dict(), **payload})
            for img in images for t in targets]


def require_owner(caller: Caller, image: ImageState, field: str = "images") -> None:
    """Only the project that owns an image (or an admin) copies it: copies are owned by the
    image's owner and count against its quota in every region."""
    if not caller.allows(image.owner):
        raise Forbidden(f"image {image.id} belongs to another project: only images your "
                        "project owns can be copied to other regions", field=field)


def request_sync(rt: Runtime, caller: Caller, req: SyncRequest, origin: str = "api",
                 kind: str = KIND, params: dict | None = None, dispatch: bool = True,
                 trust: TrustGrant | None = None, **payload) -> dict:
    """Check everything, snapshot the sources, then one job; returns its view. The job acts
    through `trust` (a policy's, a rollout's), else a new one of the caller's."""
    targets = region_service.check_targets(rt, req.source_region, req.target_regions)
    images: dict[str, ImageState] = {}
    for image_id in dict.fromkeys(req.images):
        image = read_visible(rt, caller, req.source_region, image_id)
        require_owner(caller, image)
        for img in with_references(rt, caller, req.source_region, image):
            images.setdefault(img.id, img)
    return job_service.get(rt, caller, job_service.submit(
        rt, caller, kind=kind, origin=origin, trust=trust or delegation.grant(rt, caller),
        dispatch=dispatch,
        params={"source_region": req.source_region, "target_regions": targets,
                "images": list(images), "force": req.force, **(params or {})},
        tasks=specs_for(list(images.values()), req.source_region, targets, req.force,
                        **payload)))


def unfinished_copies(rt: Runtime) -> list[str]:
    """The mappings of half copies that a failed copy could not remove (its region was down
    then)."""
    return mappings.unfinished(rt.store.db_url, "image")


def remove_unfinished(rt: Runtime, mapping_id: str) -> bool:
    """Delete one half copy, under the copy's own lease and only if its mapping still names
    it: a retry may have taken the record over (filled or recreated it) since, and its copy
    must not be removed. False when a copy is at work there or nothing is left to do; a
    region still down raises (the controller tries again later)."""
    db_url, owner = rt.store.db_url, f"janitor-{uuid.uuid4().hex[:8]}"
    row = mappings.get_by_id(db_url, mapping_id)
    if row is None or not (row.details or {}).get("unfinished"):
        return False
    image_id, region, target_id = row.source_key, row.target_region, row.target_id
    name = image_copies.lock_name(image_id, region)
    if not locks.acquire(db_url, name, owner, 300):
        return False  # a copy is at work there: it deals with the record itself
    try:
        row = mappings.get_by_id(db_url, mapping_id)
        still = row is not None and row.target_id == target_id and \
            (row.details or {}).get("unfinished")
        if not still:
            return False
        glance.delete_image(rt.registry.connection(region), target_id)
        mappings.delete_by_id(db_url, mapping_id)
        return True
    finally:
        locks.release(db_url, name, owner)
