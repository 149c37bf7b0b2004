"""The image x region matrix of a project: every image the project sees in a source region
(Glance's visibility rules, as `images.visible_to` decides them for the project) and, per
region, whether an identical copy is there. The source is listed with the member's own
token (an admin's view with the service's credentials, filtered to the project); the copies
in every other region at once with the service's credentials, by id. A region that does not
answer is named and its cells say `unreachable`; the rest of the answer still comes."""
import dataclasses

from albatross.db.image_settings import as_setting
from albatross.db.mappings import MappingStore
from albatross.images import modes
from albatross.images.meta import ImageState, state_from_raw
from albatross.regions import images as glance
from albatross.services import delegation
from albatross.services import images as image_service
from albatross.services import regions as region_service
from albatross.services.caller import Caller
from albatross.services.runtime import Runtime

SOURCE, IN_SYNC, DIFFERENT, COPYING, MISSING, UNREACHABLE = (
    "source", "in_sync", "different", "copying", "missing", "unreachable")
STATES = (SOURCE, IN_SYNC, DIFFERENT, COPYING, MISSING, UNREACHABLE)
ID_CHUNK = 50  # ids per `id=in:` filter: keeps the URL short
# what a project sees in Glance: its own images (any visibility), public, community, and
# shared ones it is a member of (checked one by one)
_LISTINGS = {"own": None, "public": {"visibility": "public"},
             "community": {"visibility": "community"}, "shared": {"visibility": "shared"}}


def default_source(rt: Runtime, project_id: str) -> str:
    """The source of the project's image sync default, else the first region."""
    names = region_service.region_names(rt)
    setting = rt.image_settings.get(project_id)
    if setting is not None and setting.source_region in names:
        return setting.source_region
    return names[0]


def _read_source(rt: Runtime, caller: Caller, source: str) -> list[ImageState]:
    """Every image the caller's project sees in the source region, by id. A member's own
    token lists exactly that (Glance applies its visibility rules: two listings, no call per
    shared image); an admin gets the project's view too, read with the service account and
    filtered here (Glance's admin view would be every project's images)."""
    if not caller.allows(None) and caller.token:   # the route's rule: not every project
        return _read_source_as(delegation.acting(rt, caller).connection(source), source)
    conn = rt.registry.connection(source)
    member = dataclasses.replace(caller, is_admin=False, scope=None)   # the project's view

    def listing(kind):
        filters = _LISTINGS[kind] or {"owner": caller.project_id, "visibility": "all"}
        return glance.list_raw(conn, **filters)

    images: dict[str, ImageState] = {}
    for kind, result in rt.registry.fan_out(listing, list(_LISTINGS)).items():
        if isinstance(result, Exception):
            region_service.raise_read_failure(result, source, "source",
                                              refused="the image listing", read="images")
        for raw in result:
            images.setdefault(raw["id"], state_from_raw(raw))
    try:
        visible = [img for img in images.values()
                   if img.owner == caller.project_id or image_service.visible_to(conn, img,
                                                                                  member)]
    except Exception as exc:
        region_service.raise_read_failure(exc, source, "source", refused="the image members",
                                          read="image members")
    return sorted(visible, key=lambda img: img.id)


def _read_source_as(conn, source: str) -> list[ImageState]:
    """The caller's own listing: owned, public and accepted shared images, then community."""
    images: dict[str, ImageState] = {}
    for filters in ({}, {"visibility": "community"}):
        try:
            raws = glance.list_raw(conn, **filters)
        except Exception as exc:
            region_service.raise_read_failure(exc, source, "source",
                                              refused="the image listing", read="images")
        for raw in raws:
            images.setdefault(raw["id"], state_from_raw(raw))
    return sorted(images.values(), key=lambda img: img.id)


def _by_ids(conn, ids) -> dict[str, ImageState]:
    """The images of these ids (hidden ones too: Glance lists them only when asked)."""
    ids = sorted(set(ids))
    out = {}
    for i in range(0, len(ids), ID_CHUNK):
        chunk = "in:" + ",".join(ids[i:i + ID_CHUNK])
        for hidden in (False, True):
            for raw in glance.list_raw(conn, id=chunk, visibility="all", is_hidden=hidden):
                out[raw["id"]] = state_from_raw(raw)
    return out


def _copying(rt: Runtime, caller: Caller, ids: list[str]) -> dict[tuple[str, str], str | None]:
    """(image id, target region) -> job id (None if the job is another project's) of the
    unfinished image copies in the jobs store (sync, ensure and rollout waves alike)."""
    if not ids:
        return {}
    rows = rt.store.unfinished_tasks("image", ids)
    return {(image_id, region): job_id if project == caller.project_id else None
            for image_id, region, job_id, project in rows}


def _cell(source: ImageState, copy: ImageState | None, job) -> dict:
    if copy is not None and copy.status == "active" and copy.same_bytes(source):
        return {"state": IN_SYNC, "id": copy.id, "status": copy.status}
    if job is not False:
        cell = {"state": COPYING, "job_id": job}
    elif copy is not None:
        cell = {"state": DIFFERENT}
    else:
        return {"state": MISSING}
    if copy is not None:
        cell.update(id=copy.id, status=copy.status)
    return cell


def _read_target(rt: Runtime, caller: Caller, source: str, region: str,
                 page: list[ImageState], copying: dict) -> dict[str, dict]:
    """image id -> its cell in `region`: the mapped copy (kept under another id after a
    retry), else an image under the source's id, as a copy looks for it."""
    wanted = {}
    for owner in {img.owner or caller.project_id for img in page}:
        rows = MappingStore(rt.store.db_url, "image", owner, caller.project_id, source,
                            region).load()
        wanted.update({img.id: rows[img.id].target_id for img in page
                       if (img.owner or caller.project_id) == owner and img.id in rows})
    found = _by_ids(rt.registry.connection(region), set(wanted.values()) |
                    {img.id for img in page})
    out = {}
    for img in page:
        copy = found.get(wanted.get(img.id, img.id)) or found.get(img.id)
        out[img.id] = _cell(img, copy, copying.get((img.id, region), False))
    return out


def _modes(rt: Runtime, project_id: str):
    settings = rt.image_settings.project(project_id)
    default = as_setting(settings.default)
    return lambda image_id: modes.resolve(as_setting(settings.images.get(image_id)), default)


def matrix(rt: Runtime, caller: Caller, source: str | None = None, limit: int = 100,
           marker: str | None = None) -> dict:
    """One page (by image id, after `marker`) of the project's image matrix."""
    names = region_service.region_names(rt)
    if source:
        region_service.require_regions(rt, [source], "source")
    else:
        source = default_source(rt, caller.project_id)
    images = _read_source(rt, caller, source)
    if marker:
        images = [img for img in images if img.id > marker]
    page, more = images[:limit], len(images) > limit
    copying = _copying(rt, caller, [img.id for img in page])
    targets = [r for r in names if r != source]
    cells = rt.registry.fan_out(
        lambda region: _read_target(rt, caller, source, region, page, copying),
        targets) if page else {r: {} for r in targets}
    unreachable = [{"region": r, "error": f"cannot read images: {type(v).__name__}"}
                   for r, v in cells.items() if isinstance(v, Exception)]
    mode_of = _modes(rt, caller.project_id)
    rows = []
    for img in page:
        effective = mode_of(img.id)
        regions = {source: {"state": SOURCE, "id": img.id, "status": img.status}}
        for region in targets:
            result = cells[region]
            regions[region] = {"state": UNREACHABLE} if isinstance(result, Exception) \
                else result[img.id]
        rows.append({"id": img.id, "name": img.fields.get("name"), "status": img.status,
                     "size": img.size, "os_hash_value": img.hash_value,
                     "visibility": img.fields.get("visibility"), "owner": img.owner,
                     "hidden": img.hidden, "mode": effective.mode,
                     "mode_set_on": effective.set_on, "regions": regions})
    return {"source_region": source, "regions": names, "unreachable": unreachable,
            "images": rows, "next_marker": page[-1].id if more else None}
