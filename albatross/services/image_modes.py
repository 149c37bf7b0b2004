"""Image sync modes as a project sets them: a project default and per-image overrides. Every
setting is checked in full when it is written (regions exist, auto has a source and targets),
so that the poller never has to guess what a half setting meant."""
import datetime


from albatross.db.image_settings import DEFAULT, SettingStore, as_setting
from albatross.exceptions import BadRequest, NotFound, UpstreamUnavailable
from albatross.images import modes
from albatross.images.meta import ImageState
from albatross.regions import images as glance
from albatross.services import delegation
from albatross.services import images as image_service
from albatross.services import regions as region_service
from albatross.services.caller import Caller
from albatross.services.runtime import Runtime
from albatross.regions import errors as region_errors
from albatross.timestamps import iso


AUTO_OWNER = "image_auto"  # trusts.owner_kind; owner_id: the project


def _store(rt: Runtime) -> SettingStore:
    return rt.image_settings


def _fields(row) -> dict:
    return {"mode": row.mode, "source_region": row.source_region,
            "target_regions": row.target_regions, "propagate_deletes": row.propagate_deletes}


def _epoch_iso(epoch: float) -> str:
    return iso(datetime.datetime.fromtimestamp(epoch, datetime.UTC).replace(tzinfo=None))


def backed_off(rows) -> list[dict]:
    """The backed-off (image, region) pairs kept in these setting rows, soonest retry first."""
    out = [{"image_id": image_id, "region": region, "failures": e["failures"],
            "retry_at": _epoch_iso(e["retry_at"]), "last_error": e.get("last_error")}
           for row in rows if row is not None
           for image_id, regions in ((row.state or {}).get("backoff") or {}).items()
           for region, e in regions.items()]
    return sorted(out, key=lambda e: (e["retry_at"], e["image_id"], e["region"]))


def project_view(project_id: str, row, image_rows=()) -> dict:
    """The default setting and what the poller did; `image_rows` (the images' own settings)
    add their backed-off copies."""
    backoff = backed_off([row, *image_rows])
    if row is None:
        view = {"project_id": project_id, "mode": modes.NONE, "source_region": None,
                "target_regions": None, "propagate_deletes": False, "updated_at": None}
        if backoff:  # images with an auto setting of their own, polled without a default
            view["poll"] = {"last_poll_at": None, "last_error": None, "recent_jobs": [],
                            "backoff": backoff}
        return view
    state = row.state or {}
    return {"project_id": project_id, **_fields(row),
            "updated_at": iso(row.updated_at),
            "poll": {"last_poll_at": state.get("last_poll_at"),
                     "last_error": state.get("last_error"),
                     "recent_jobs": state.get("recent_jobs", []), "backoff": backoff}}


def _check(rt: Runtime, mode: str, body: dict, effective: modes.Effective) -> None:
    """400s naming the field: what each mode uses, and regions that exist."""
    unused = {modes.NONE: ("source_region", "target_regions", "propagate_deletes"),
              modes.LAZY: ("target_regions", "propagate_deletes")}.get(mode, ())
    for name in unused:
        if body.get(name) not in (None, False):
            raise BadRequest(f"mode {mode} does not use {name}", field=name)
    if mode == modes.LAZY and effective.source_region:
        region_service.require_regions(rt, [effective.source_region], "source_region")
    if mode == modes.AUTO:
        if not effective.source_region:
            raise BadRequest("auto needs a source_region (here or in the project default)",
                             field="source_region")
        if not effective.target_regions:
            raise BadRequest("auto needs target_regions (here or in the project default)",
                             field="target_regions")
        region_service.check_targets(rt, effective.source_region, effective.target_regions)


def _targets(value):
    return value if value in (None, region_service.ALL_REGIONS) else list(dict.fromkeys(value))


def _put(rt: Runtime, project_id: str, image_id: str, body: dict):
    return _store(rt).put(project_id, image_id, mode=body["mode"],
                          source_region=body.get("source_region"),
                          target_regions=_targets(body.get("target_regions")),
                          propagate_deletes=bool(body.get("propagate_deletes")))


# ---- the project default -------------------------------------------------------------------
def get_project(rt: Runtime, project_id: str) -> dict:
    settings = _store(rt).project(project_id)
    return project_view(project_id, settings.default, settings.images.values())


def _lend_authority(rt: Runtime, caller: Caller, project_id: str, mode: str) -> None:
    """Auto mode copies and deletes without a request: it acts through a trust of whoever
    turned it on last (one per project, replacing the one before)."""
    if mode == modes.AUTO:
        delegation.lend(rt, caller, AUTO_OWNER, project_id)


def put_project(rt: Runtime, caller: Caller, project_id: str, body: dict) -> dict:
    given = modes.Setting(body["mode"], body.get("source_region"),
                          body.get("target_regions"), bool(body.get("propagate_deletes")))
    _check(rt, body["mode"], body, modes.resolve(None, given))
    _lend_authority(rt, caller, project_id, body["mode"])
    return project_view(project_id, _put(rt, project_id, DEFAULT, body))


def delete_project(rt: Runtime, project_id: str) -> None:
    _store(rt).delete(project_id)
    delegation.release(rt, AUTO_OWNER, project_id)


# ---- one image -----------------------------------------------------------------------------
def _find_visible(rt: Runtime, caller: Caller, image_id: str,
                  prefer: str | None) -> ImageState:
    """The image in the first region where the caller may see it (the preferred one first);
    a 404 that reveals nothing otherwise, a 503 if a region that did not answer may have it."""
    unreadable = []
    for region in sorted(region_service.region_names(rt), key=lambda r: r != prefer):
        try:
            conn = rt.registry.connection(region)
            image = glance.read_image(conn, image_id)
            if image is not None and image_service.visible_to(conn, image, caller):
                return image
        except region_errors.REGION_ERRORS:
            unreadable.append(region)
    if unreadable:
        raise UpstreamUnavailable(f"image {image_id} not found; regions not answering: "
                                  f"{', '.join(unreadable)}", field="image_id")
    raise NotFound(f"image {image_id} not found in any region", field="image_id")


def image_view(project_id: str, image_id: str, row, default) -> dict:
    eff = modes.resolve(as_setting(row), as_setting(default))
    return {"image_id": image_id, "project_id": project_id, "mode": eff.mode,
            "source_region": eff.source_region, "target_regions": eff.target_regions,
            "propagate_deletes": eff.propagate_deletes, "set_on": eff.set_on,
            "updated_at": iso(row.updated_at) if row is not None else None}


def get_image(rt: Runtime, caller: Caller, image_id: str) -> dict:
    """The effective mode for the caller's project (its own row, else the default)."""
    settings = _store(rt).project(caller.project_id)
    row = settings.images.get(image_id)
    if row is None:
        _find_visible(rt, caller, image_id, None)
    return image_view(caller.project_id, image_id, row, settings.default)


def put_image(rt: Runtime, caller: Caller, image_id: str, body: dict) -> dict:
    store = _store(rt)
    default = store.get(caller.project_id)
    given = modes.Setting(body["mode"], body.get("source_region"),
                          body.get("target_regions"), bool(body.get("propagate_deletes")))
    effective = modes.resolve(given, as_setting(default))
    _check(rt, body["mode"], body, effective)
    image = _find_visible(rt, caller, image_id, effective.source_region)
    if body["mode"] == modes.AUTO and image.owner != caller.project_id:
        raise BadRequest(f"auto copies only images your project owns; image {image_id} "
                         f"belongs to {image.owner}", field="mode")
    _lend_authority(rt, caller, caller.project_id, body["mode"])
    return image_view(caller.project_id, image_id, _put(rt, caller.project_id, image_id, body),
                      default)


def delete_image(rt: Runtime, caller: Caller, image_id: str) -> None:
    """Back to the project default; the caller's own row may go even if the image is gone."""
    store = _store(rt)
    if store.get(caller.project_id, image_id) is None:
        _find_visible(rt, caller, image_id, None)
        return
    store.delete(caller.project_id, image_id)


def default_source(rt: Runtime, caller: Caller, image_id: str) -> str | None:
    """Where lazy ensure looks first: the source region of the caller's setting for it."""
    settings = _store(rt).project(caller.project_id)
    return modes.resolve(as_setting(settings.images.get(image_id)),
                         as_setting(settings.default)).source_region
