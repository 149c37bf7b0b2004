"""Auto mode: new and changed images of a project are copied to its targets without a request.

Its controller (kind "image_auto", one key per project) polls: every [sync]
audit_check_interval it lists the project's images in the source region changed since the
last look (Glance's `updated_at=gte:` filter), compares the auto ones with their copies and
starts image sync jobs (origin "auto"); every [image_sync] full_scan_interval it looks at all
of them, which also catches up copies whose job failed, except where a copy keeps failing:
that (image, region) waits out a back-off (images/auto.py FailedCopies) until it succeeds or
the source image changes. A Glance notification asks for the project's run at once; the
work queue runs one at a time per project, so nothing decides twice."""
import calendar
import hashlib
import json
import logging
import time
from collections import defaultdict
from dataclasses import dataclass

from albatross.db.image_settings import ProjectSettings, as_setting
from albatross.db.mappings import MappingStore
from albatross.db.trusts import TrustGrant
from albatross.services import delegation
from albatross.images import auto
from albatross.images.meta import ImageState, state_from_raw
from albatross.images.modes import AUTO, Effective, resolve
from albatross.db import job_states as states
from albatross.regions import images as glance
from albatross.regions.delegation import DelegationLost
from albatross.regions.errors import reason
from albatross.services import image_modes
from albatross.services import images as image_service
from albatross.services import regions as region_service
from albatross.services.caller import Caller
from albatross.services.runtime import Runtime

LOG = logging.getLogger(__name__)
CONTROLLER = "image_auto"   # the work queue's kind; keys are project ids
ID_CHUNK = 50   # ids per `id=in:` filter: keeps the URL short
RECENT_JOBS = 10
ERROR_CHARS = 300   # of a failed copy's error, kept in its back-off entry
# Glance announces an upload before it saves the image's status: an image changed this
# recently and not saved yet makes the run come back in SETTLE_RECHECK seconds (not at the
# next poll); a longer upload ends with its own notification
UPLOAD_SAVE_WAIT = 15.0
SETTLE_RECHECK = 1.0
NOT_SAVED = ("queued", "saving", "uploading", "importing")


# ---- Glance reads --------------------------------------------------------------------------
def _raws(conn, **filters) -> list[dict]:
    """Hidden images too: Glance leaves them out of a listing unless asked for them."""
    return [raw for hidden in (False, True)
            for raw in glance.list_raw(conn, is_hidden=hidden, **filters)]


def _by_ids(conn, ids) -> dict[str, dict]:
    ids = sorted(set(ids))
    out = {}
    for i in range(0, len(ids), ID_CHUNK):
        for raw in _raws(conn, id="in:" + ",".join(ids[i:i + ID_CHUNK])):
            out[raw["id"]] = raw
    return out


def _digest(raw: dict) -> str:
    """What a listing showed of an image: any change to it (even within Glance's one-second
    `updated_at`) makes the image worth another look."""
    return hashlib.sha256(json.dumps(raw, sort_keys=True, default=str).encode()).hexdigest()


# ---- one decision round --------------------------------------------------------------------
class _Project:
    """A project's settings, resolved once per poll or notification."""

    def __init__(self, rt: Runtime, project_id: str):
        self.rt, self.project_id = rt, project_id
        self.settings: ProjectSettings = rt.image_settings.project(project_id)
        self.default = as_setting(self.settings.default)

    def effective(self, image_id: str) -> Effective:
        return resolve(as_setting(self.settings.images.get(image_id)), self.default)

    def targets(self, setting: Effective) -> tuple[str, ...]:
        return tuple(region_service.resolve_targets(self.rt, setting.source_region,
                                                    setting.target_regions))

    def mappings(self, source: str, target: str) -> MappingStore:
        return MappingStore(self.rt.store.db_url, "image", self.project_id, self.project_id,
                            source, target)


def _busy(rt: Runtime, project_id: str) -> set[str]:
    """Images an unfinished image sync job of the project is copying (from any origin)."""
    return {i for job, _ in rt.store.list_jobs(project_id=project_id, kind=image_service.KIND,
                                               active_only=True, limit=1000)
            for i in (job.params or {}).get("images", [])}


def _copies(proj: _Project, source: str, region: str, images: list[ImageState]):
    """(copy per source id, AMI references) in one target region: the mapped copy, else an
    image under the source's id, as the reconciler looks for it."""
    rows = proj.mappings(source, region).load()
    wanted = {img.id: rows[img.id].target_id if img.id in rows else img.id for img in images}
    found = _by_ids(proj.rt.registry.connection(region), set(wanted.values()))
    copies = {sid: state_from_raw(found[tid]) if tid in found else None
              for sid, tid in wanted.items()}
    return copies, {sid: row.target_id for sid, row in rows.items()}


def _act(proj: _Project, source: str, items: list[tuple[ImageState, Effective]],
         held: dict[str, set[str]] | None = None):
    """Compare the candidates with their targets and start the syncs, leaving out the
    backed-off (image, region) pairs in `held`; returns (job ids, image ids to look at again:
    deferred, unreadable target, or not started, {image id: job id started})."""
    if not items:
        return [], set(), {}
    held = held or {}
    targets = {img.id: tuple(t for t in proj.targets(eff) if t not in held.get(img.id, ()))
               for img, eff in items}
    copies, refs, unreadable = {}, {}, set()
    for region in sorted({r for ts in targets.values() for r in ts}):
        try:
            copies[region], refs[region] = _copies(proj, source, region,
                                                   [img for img, _ in items])
        except Exception as exc:  # region down: these images wait for it
            LOG.warning("auto: cannot read images in %s: %s", region, type(exc).__name__)
            unreadable.add(region)
    again = {img.id for img, _ in items if unreadable & set(targets[img.id])}
    candidates = [auto.Candidate(img, eff, tuple(t for t in targets[img.id]
                                                 if t not in unreadable),
                                 {r: copies[r].get(img.id) for r in copies},
                                 {r: refs[r] for r in refs}) for img, eff in items]
    orders, deferred = auto.decide(candidates, _busy(proj.rt, proj.project_id))
    again |= set(deferred)
    started, launched = [], {}
    if not orders:
        return [], again, {}
    trust = _trust(proj)
    if trust is None:
        _note_error(proj.rt, proj.project_id, "auto mode holds no trust of a user of the "
                    "project (set before Albatross acted through trusts): set the mode again")
        return [], again | {o.image_id for o in orders}, {}
    caller = Caller(user_id=trust.user_id, project_id=proj.project_id)
    for order in orders:
        try:
            job = image_service.request_sync(proj.rt, caller, image_service.SyncRequest(
                order.source_region, list(order.targets), [order.image_id]), origin="auto",
                params={"auto": True}, trust=trust)
            started.append(job["id"])
            launched[order.image_id] = job["id"]
            LOG.info("auto: image %s of project %s to %s: job %s", order.image_id,
                     proj.project_id, ", ".join(order.targets), job["id"])
        except Exception as exc:
            LOG.warning("auto: sync of image %s not started: %s", order.image_id, exc)
            again.add(order.image_id)
    return started, again, launched


def _trust(proj: _Project) -> TrustGrant | None:
    """The trust auto mode acts through: of whoever turned it on last."""
    rows = proj.rt.trusts.owned_by(image_modes.AUTO_OWNER, proj.project_id)
    return delegation.borrowed(rows[0].id, rows[0].user_id, proj.project_id) if rows else None


def _propagate_deletes(proj: _Project, only: set[str] | None = None) -> int:
    """Delete the copies Albatross made of images gone from their source, where the image's
    auto setting asks for it; returns how many were deleted."""
    rt, deleted = proj.rt, 0
    settings = {None: resolve(None, proj.default)} | {
        i: proj.effective(i) for i in proj.settings.images}
    sources = {s.source_region for s in settings.values()
               if s.mode == AUTO and s.propagate_deletes and s.complete}
    for source in sorted(sources):
        mapped = [auto.MappedCopy(sid, region, row.target_id, row.created_by_albatross)
                  for region in region_service.region_names(rt) if region != source
                  for sid, row in proj.mappings(source, region).load().items()
                  if row.created_by_albatross and (only is None or sid in only)]
        if not mapped:
            continue
        ids = {m.source_id for m in mapped}
        present = set(_by_ids(rt.registry.connection(source), ids))
        effective = {i: s for i in ids if (s := proj.effective(i)).source_region == source}
        targets = {i: proj.targets(s) for i, s in effective.items() if s.mode == AUTO}
        gone = auto.deletions(mapped, present, effective, targets)
        if not gone:
            continue
        trust = _trust(proj)
        try:
            regions = delegation.acting_through(
                rt, trust.id if trust else None, trust.user_id if trust else "",
                proj.project_id, f"the auto mode of project {proj.project_id}")
        except DelegationLost as exc:  # the copies stay until a member sets auto again
            LOG.warning("auto: copies of project %s not deleted: %s", proj.project_id, exc)
            continue
        for m in gone:
            try:
                glance.delete_image(regions.connection(m.target_region), m.target_id)
            except Exception as exc:  # the mapping stays: the next round tries again
                LOG.warning("auto: copy %s in %s not deleted yet: %s", m.target_id,
                            m.target_region, type(exc).__name__)
                continue
            proj.mappings(source, m.target_region).remove(m.source_id)
            deleted += 1
            LOG.info("auto: image %s is gone from %s: deleted its copy %s in %s",
                     m.source_id, source, m.target_id, m.target_region)
    return deleted


# ---- the poller ----------------------------------------------------------------------------
def _default_candidates(proj: _Project, marks: dict, full: bool):
    """The project default's listing: changed images (or all, on a full scan) plus the ones
    left to look at again; images with a setting of their own are decided by that."""
    setting = resolve(None, proj.default)
    source = setting.source_region
    conn = proj.rt.registry.connection(source)
    filters = {"owner": proj.project_id}
    if marks.get("since") and not full:
        filters["updated_at"] = "gte:" + marks["since"]
    listed = _raws(conn, **filters)
    pending = set(marks.get("pending", [])) - {r["id"] for r in listed}
    raws = listed + list(_by_ids(conn, pending).values()) if pending else listed
    seen = marks.get("seen", {})
    items = [(state_from_raw(r), setting) for r in raws if r["id"] not in proj.settings.images
             and (full or seen.get(r["id"]) != _digest(r))]
    since = max([marks.get("since") or ""] + [r.get("updated_at") or "" for r in listed])
    return source, items, raws, since


def _not_saved_yet(raw: dict, now: float) -> bool:
    """Announced (or created) but not saved yet, and changed within UPLOAD_SAVE_WAIT."""
    if raw.get("status") not in NOT_SAVED or not raw.get("updated_at"):
        return False
    try:
        changed = calendar.timegm(time.strptime(raw["updated_at"], "%Y-%m-%dT%H:%M:%SZ"))
    except ValueError:
        return False
    return abs(now - changed) < UPLOAD_SAVE_WAIT   # either way: the clocks may differ a bit


@dataclass
class Poll:
    started: list[str]     # the jobs started
    settling: bool         # an image Glance is still saving: look again in a moment


def _poll_project(rt: Runtime, project_id: str, full_scan_interval: float) -> Poll:
    proj, store, now = _Project(rt, project_id), rt.image_settings, time.time()
    by_source: dict[str, list] = defaultdict(list)
    default_row = proj.settings.default
    marks = dict((default_row.state or {}) if default_row is not None else {})
    book = auto.FailedCopies(marks)          # failed copies of the default's images
    book.settle(lambda job: _outcome(rt, job), now, full_scan_interval)
    default_raws, since, digests, held = [], marks.get("since"), {}, {}
    default_auto = proj.default is not None and proj.default.mode == AUTO
    if default_auto and resolve(None, proj.default).complete:
        full = now - marks.get("full_at", 0) >= full_scan_interval
        source, items, default_raws, since = _default_candidates(proj, marks, full)
        by_source[source] += items
        digests.update((r["id"], _digest(r)) for r in default_raws)
        held.update((img.id, book.held(img.id, digests[img.id], now)) for img, _ in items)
        if full:
            marks["full_at"] = now
            book.keep_only(digests)
    book.keep_only((set(book.backoff) | set(book.tracked)) - set(proj.settings.images))
    own: dict[str, dict] = defaultdict(dict)
    for image_id, row in proj.settings.images.items():
        setting = proj.effective(image_id)
        if setting.mode == AUTO and setting.complete:
            own[setting.source_region][image_id] = (row, setting)
    books = {i: auto.FailedCopies(rows[i][0].state) for rows in own.values() for i in rows}
    for own_book in books.values():
        own_book.settle(lambda job: _outcome(rt, job), now, full_scan_interval)
    own_raws, looked = {}, list(default_raws)
    for source, rows in own.items():
        for image_id, raw in _by_ids(rt.registry.connection(source), rows).items():
            row, setting = rows[image_id]
            looked.append(raw)
            state, digests[image_id] = row.state or {}, _digest(raw)
            if state.get("seen") != digests[image_id] or \
                    now - state.get("checked_at", 0) >= full_scan_interval:
                own_raws[image_id] = raw
                by_source[source].append((state_from_raw(raw), setting))
                held[image_id] = books[image_id].held(image_id, digests[image_id], now)
    started, again = [], set()
    for source, items in by_source.items():
        jobs, later, launched = _act(proj, source, items, held)
        started += jobs
        again |= later
        for image_id, job_id in launched.items():
            books.get(image_id, book).track(image_id, job_id, digests[image_id])
    _propagate_deletes(proj)
    for rows in own.values():
        for image_id, (row, _) in rows.items():
            state = dict(row.state or {})
            if image_id in own_raws and image_id not in again:
                state.update(seen=digests[image_id], checked_at=now)
            state.update(books[image_id].dump())
            if state != (row.state or {}):
                store.set_state(row.id, state)
    if default_row is not None:
        edge = [r for r in default_raws if r.get("updated_at") == since]
        marks.update(since=since, pending=sorted(again & {r["id"] for r in default_raws}),
                     seen={r["id"]: _digest(r) for r in edge if r["id"] not in again},
                     last_poll_at=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now)),
                     last_error=None, **book.dump(),
                     recent_jobs=(started + marks.get("recent_jobs", []))[:RECENT_JOBS])
        store.set_state(default_row.id, marks)
    return Poll(started, any(_not_saved_yet(r, now) for r in looked))


def _note_error(rt: Runtime, project_id: str, message: str) -> None:
    row = rt.image_settings.get(project_id)
    if row is not None:
        rt.image_settings.set_state(row.id, {**(row.state or {}), "last_error": message})


def auto_projects(rt: Runtime) -> list[str]:
    return rt.image_settings.auto_projects()


def poll_project(rt: Runtime, project_id: str) -> Poll:
    """The controller's run for one project with an auto setting (the work queue runs one at
    a time per project). A region down is noted in the project's state and raised (the item
    backs off)."""
    try:
        return _poll_project(rt, project_id, rt.conf.image_sync.full_scan_interval)
    except Exception as exc:  # the marks stay, the next poll retries
        _note_error(rt, project_id, reason(exc))
        raise


def _outcome(rt: Runtime, job_id: str) -> dict | None:
    """A finished job's result per target region (None: copied, else the error); None while it
    runs, {} if the job is gone (purged)."""
    found = rt.store.get_job(job_id)
    if found is None:
        return {}
    tasks = found[1]
    if any(t.status not in states.TERMINAL for t in tasks):
        return None
    out: dict = {}
    for t in tasks:
        if t.status == states.FAILED:
            out[t.target_region] = (t.error or "failed")[:ERROR_CHARS]
        else:
            out.setdefault(t.target_region, None)
    return out


# ---- notifications -------------------------------------------------------------------------
def handle_event(rt: Runtime, region: str, event_type: str, payload: dict) -> bool:
    """A Glance notification from `region`: when it concerns an image auto mode copies from
    there (or deletes the copies of), the project's run is asked for now. Returns whether it
    was. What a notification misses, the next poll catches up."""
    image_id, owner = (payload or {}).get("id"), (payload or {}).get("owner")
    if not image_id or not owner:
        return False
    setting = _Project(rt, owner).effective(image_id)
    if setting.mode != AUTO or setting.source_region != region or not setting.complete:
        return False
    if event_type == "image.delete" and not setting.propagate_deletes:
        return False
    rt.enqueue(CONTROLLER, owner)
    return True
