"""Controlled image rollouts: one new image version copied region by region in waves (each
wave one image sync job that hides the older copies of the same name), each wave read back and
approved before the next starts, and a rollback that returns every touched region to the
snapshot taken just before its wave. The rules live in images/rollout.py; this module gathers
the facts, does the I/O a step asks for, and records every transition in the history."""


from albatross.db.models import ImageRollout, RolloutEvent
from albatross.db.trusts import TrustGrant
from albatross.db.rollouts import RolloutStore
from albatross.exceptions import BadRequest, Conflict, NotFound, UpstreamUnavailable
from albatross.images import rollout as machine
from albatross.images.meta import ImageState
from albatross.db import job_states as states
from albatross.db.jobs import TaskSpec
from albatross.reconcilers.image_rollback import RESOURCE as ROLLBACK_TASK
from albatross.reconcilers.image_rollback import owned_images
from albatross.regions import images as glance
from albatross.regions.delegation import DelegationLost
from albatross.services import delegation
from albatross.services import images as image_service
from albatross.services import jobs as job_service
from albatross.services import regions as region_service
from albatross.services.caller import Caller
from albatross.services.runtime import Runtime
from albatross.regions import errors as region_errors
from albatross.timestamps import iso

WAVE_KIND, ROLLBACK_KIND = "image_rollout_wave", "image_rollback"
SYSTEM = "albatross"  # the actor of transitions nobody asked for (a wave finished)
CONTROLLER = "image_rollout"   # services/controllers.Rollouts: one work item per rollout
ACT_ATTEMPTS = 5
UNFINISHED = (machine.RUNNING, machine.WAITING, machine.PAUSED, machine.ROLLING_BACK)
MOVING = (machine.RUNNING, machine.ROLLING_BACK)  # the states `advance` can change
COPY_ACTIONS = ("create", "fill", "recreate", "replace", "update", "none")
# a region that cannot be read now: the step is tried again on the next advance
OWNER = "image_rollout"  # trusts.owner_kind
REGION_ERRORS = (*region_errors.REGION_ERRORS, UpstreamUnavailable)


def _store(rt: Runtime) -> RolloutStore:
    return rt.rollouts


def _event(event: str, actor: str, before: str | None, after: str, *, wave: int | None = None,
           job_id: str | None = None, detail: str | None = None) -> RolloutEvent:
    return RolloutEvent(event=event, actor=actor, from_state=before, to_state=after, wave=wave,
                        job_id=job_id, detail=detail[:2000] if detail else None)


# ---- facts ---------------------------------------------------------------------------------
def _job(rt: Runtime, job_id: str | None) -> tuple[str | None, list]:
    """(derived status, tasks) of a job; status None when there is none (or it was deleted)."""
    found = rt.store.get_job(job_id) if job_id else None
    if found is None:
        return None, []
    counts: dict[str, int] = {}
    for t in found[1]:
        counts[t.status] = counts.get(t.status, 0) + 1
    return states.job_status(counts), found[1]


def _job_fact(status: str | None, job_id: str | None) -> str:
    if not job_id:
        return machine.UNSTARTED
    if status in (states.QUEUED, states.RUNNING):
        return machine.PENDING
    return machine.SUCCEEDED if status == states.SUCCESS else machine.JOB_FAILED


def _verify(rt: Runtime, tasks) -> str | None:
    """Every copy ACTIVE with its source's hash, as its task reported and as read back now;
    returns what is wrong, if anything."""
    for t in tasks:
        source = ImageState.from_dict(t.payload["source"])
        result = t.result or {}
        where = f"{t.target_region}: the copy of {t.resource}"
        if result.get("action") not in COPY_ACTIONS or not result.get("target_id"):
            return f"{where} was not reported"
        if result.get("hash_value") and result["hash_value"] != source.hash_value:
            return f"{where} was reported with another hash"
        copy = glance.read_image(rt.registry.connection(t.target_region), result["target_id"])
        if copy is None or copy.status != "active" or not copy.same_bytes(source):
            return f"{where} ({result['target_id']}) is not ACTIVE with the source's hash"
    return None


def _wave_fact(rt: Runtime, row: ImageRollout, wave: dict, verify: bool) -> str:
    """How the current wave stands; records in `wave` what verification found (once)."""
    if wave.get("verified"):
        return machine.SUCCEEDED
    if wave.get("error"):
        return machine.JOB_FAILED
    status, tasks = _job(rt, wave.get("job_id"))
    fact = _job_fact(status, wave.get("job_id"))
    if fact == machine.JOB_FAILED:
        wave["error"] = "; ".join(t.error for t in tasks if t.error) or \
            f"the wave's job {wave['job_id']} failed or was deleted"
    if fact != machine.SUCCEEDED or not verify:
        return fact
    try:
        problem = _verify(rt, tasks)
    except REGION_ERRORS as exc:
        wave["last_error"] = f"verification deferred: {type(exc).__name__}"
        return machine.PENDING
    if problem:
        wave["error"] = problem
        return machine.JOB_FAILED
    wave.pop("last_error", None)
    wave.update(verified=True, copies={
        t.target_region: t.result["target_id"] for t in tasks if t.resource == row.image_id},
        hidden={r: sorted({h for t in tasks if t.target_region == r
                           for h in t.result.get("hidden", [])}) for r in wave["regions"]})
    return machine.SUCCEEDED


# ---- steps -----------------------------------------------------------------------------------
def _existing_wave_job(rt: Runtime, row: ImageRollout, index: int) -> str | None:
    """A job an earlier start made for this wave but died before recording."""
    for job, _counts in rt.store.list_jobs(project_id=row.project_id, kind=WAVE_KIND,
                                           limit=1000):
        if job.params.get("rollout_id") == row.id and job.params.get("wave") == index:
            return job.id
    return None


def _start_wave(rt: Runtime, row: ImageRollout, index: int, wave: dict) -> bool:
    """Snapshot the wave's regions, then one image sync job for them. Returns False when a
    region could not be read now (the wave stays unstarted and is tried again)."""
    wave["job_id"] = _existing_wave_job(rt, row, index)
    if wave["job_id"]:
        return True
    caller = Caller(user_id=row.user_id, project_id=row.project_id, is_admin=row.admin)
    try:
        regions = delegation.acting_through(rt, row.trust_id, row.user_id, row.project_id,
                                            f"rollout {row.id}")
        for region in wave["regions"]:
            images = owned_images(regions.connection(region), row.image_owner)
            _store(rt).put_snapshot(row.id, region, [i.to_dict() for i in images])
        job = image_service.request_sync(
            rt, caller, image_service.SyncRequest(row.source_region, wave["regions"],
                                                  [row.image_id]),
            origin="rollout", kind=WAVE_KIND, params={"rollout_id": row.id, "wave": index,
                                                      "wake": _wake(row.id)},
            trust=_trust(row), hide_replaced=True)
    except (NotFound, BadRequest) as exc:  # the image is gone or no longer ACTIVE
        wave["error"] = exc.message
        return True
    except DelegationLost as exc:  # its user's authority is gone: the wave cannot start
        wave["error"] = str(exc)
        return True
    except REGION_ERRORS as exc:
        wave["last_error"] = f"start deferred: {getattr(exc, 'message', type(exc).__name__)}"
        return False
    wave.pop("last_error", None)
    wave["job_id"] = job["id"]
    return True


def _wake(rollout_id: str) -> dict:
    """What a wave or rollback job wakes when it ends: this rollout's controller item."""
    return {"kind": CONTROLLER, "key": rollout_id}


def _trust(row: ImageRollout) -> TrustGrant | None:
    return delegation.borrowed(row.trust_id, row.user_id, row.project_id)


def _redelegate(rt: Runtime, caller: Caller, row: ImageRollout) -> None:
    """Whoever of the project acts on a rollout lends it their authority from now on."""
    if caller.project_id == row.project_id:
        trust = delegation.lend(rt, caller, OWNER, row.id)
        _store(rt).save(row.id, [], trust_id=trust.id, user_id=caller.user_id)


def _start_rollback(rt: Runtime, row: ImageRollout) -> str:
    """One task per region a wave job was made for: the region's snapshot, and the copies
    the wave's tasks reported (what the rollout may delete)."""
    snapshots = _store(rt).snapshots(row.id)
    specs = []
    for wave in row.waves:
        _status, tasks = _job(rt, wave.get("job_id"))
        for region in wave["regions"] if wave.get("job_id") else ():
            mine = [t for t in tasks if t.target_region == region]
            specs.append(TaskSpec(ROLLBACK_TASK, row.image_id, row.source_region, region,
                                  False, {
                                      "rollout_id": row.id, "owner": row.image_owner,
                                      "snapshot": snapshots[region],
                                      "made": sorted({(t.result or {}).get("target_id")
                                                      for t in mine} - {None}),
                                      "sources": sorted({t.resource for t in mine})}))
    return job_service.submit(
        rt, None, project_id=row.project_id, user_id=row.user_id, kind=ROLLBACK_KIND,
        origin="rollout", trust=_trust(row), tasks=specs,
        params={"rollout_id": row.id, "regions": [s.target_region for s in specs],
                "wake": _wake(row.id)})


def _progress(row: ImageRollout) -> machine.Progress:
    return machine.Progress(row.state, len(row.waves), row.wave, row.auto_approve)


def _rollback_failure_seen(rt: Runtime, row: ImageRollout) -> bool:
    return any(e.event == "rollback_failed" and e.job_id == row.rollback_job_id
               for e in _store(rt).events(row.id))


def _step(rt: Runtime, rollout_id: str) -> bool:
    """Move the rollout as far as it can go now; True if it moved. Only its controller's run
    calls it (one at a time per rollout: the work queue's key); an action taken meanwhile
    wins (the save compares the state first) and the step looks again."""
    moved = False
    for _ in range(4):  # a step changes the facts: look again (bounded)
        row = _store(rt).get(rollout_id)
        if row is None:
            break   # gone (purged): nothing to move
        before = _progress(row)
        if before.state not in MOVING:
            break
        waves = [dict(w) for w in row.waves]
        current = waves[row.wave]
        wave_fact = _wave_fact(rt, row, current, verify=before.state == machine.RUNNING)
        rb_status, rb_tasks = _job(rt, row.rollback_job_id)
        rb_fact = _job_fact(rb_status, row.rollback_job_id)
        after, step = machine.advance(before, wave_fact, rb_fact)
        events, values, settled = [], {}, True
        if before.state == machine.RUNNING and after != before:
            events.append(_event("wave_verified" if wave_fact == machine.SUCCEEDED
                                 else "wave_failed", SYSTEM, before.state, after.state,
                                 wave=before.wave, job_id=current.get("job_id"),
                                 detail=current.get("error")))
        if after.state == machine.ROLLED_BACK:
            events.append(_event("rolled_back", SYSTEM, before.state, after.state,
                                 job_id=row.rollback_job_id))
        if rb_fact == machine.JOB_FAILED and not _rollback_failure_seen(rt, row):
            events.append(_event("rollback_failed", SYSTEM, before.state, after.state,
                                 job_id=row.rollback_job_id, detail="; ".join(
                                     t.error for t in rb_tasks if t.error) or None))
        if step == machine.START_WAVE:
            wave = waves[after.wave]
            settled = _start_wave(rt, row, after.wave, wave)
            if wave.get("job_id"):
                events.append(_event("wave_started", SYSTEM, after.state, after.state,
                                     wave=after.wave, job_id=wave["job_id"],
                                     detail=", ".join(wave["regions"])))
        elif step == machine.START_ROLLBACK:
            values["rollback_job_id"] = _start_rollback(rt, row)
            events.append(_event("rollback_started", SYSTEM, after.state, after.state,
                                 job_id=values["rollback_job_id"]))
        if after == before and waves == row.waves and not events and not values:
            break
        if not _store(rt).save(rollout_id, events, expect=(before.state, before.wave),
                               state=after.state, wave=after.wave, waves=waves, **values):
            continue   # acted on meanwhile: look at it again
        moved = True
        if not settled:
            break
    return moved


def moving(rt: Runtime) -> list[str]:
    """The rollouts that are running or rolling back (the controller moves them on)."""
    return [r.id for r in _store(rt).find(states=MOVING)]


def advance(rt: Runtime, rollout_id: str) -> bool:
    """The controller's run for one rollout."""
    return _step(rt, rollout_id)


# ---- the API's operations -------------------------------------------------------------------
def _check_waves(rt: Runtime, source: str, waves: list[list[str]]) -> None:
    region_service.require_regions(rt, [source], "source_region")
    seen: set[str] = set()
    for i, wave in enumerate(waves):
        field = f"waves[{i}]"
        region_service.require_regions(rt, wave, field)
        for region in wave:
            if region == source:
                raise BadRequest(f"{field} names the source region {source}", field=field)
            if region in seen:
                raise BadRequest(f"region {region} is in more than one place in waves",
                                 field=field)
            seen.add(region)


def start(rt: Runtime, caller: Caller, body: dict) -> dict:
    """Check the waves and the image, record the rollout, and start its first wave."""
    source, waves = body["source_region"], body["waves"]
    _check_waves(rt, source, waves)
    image = image_service.read_visible(rt, caller, source, body["image_id"], "image_id")
    image_service.require_owner(caller, image, "image_id")
    owner = image.owner or caller.project_id
    regions = {r for w in waves for r in w}
    for other in _store(rt).find(states=UNFINISHED):
        busy = regions & {r for w in other.waves for r in w["regions"]}
        if other.image_owner == owner and busy:
            raise Conflict(f"rollout {other.id} is still {other.state} in "
                           f"{', '.join(sorted(busy))}; finish, abort or roll it back first",
                           field="waves")
    trust = delegation.grant(rt, caller, lifetime_hours=0)  # before anything is recorded
    row = _store(rt).create(
        _event("start", caller.user_id, None, machine.RUNNING,
               detail=f"image {image.id} ({image.name}) from {source} in waves "
                      + " | ".join(", ".join(w) for w in waves)),
        project_id=caller.project_id, user_id=caller.user_id, admin=caller.allows(None),
        image_id=image.id, image_name=image.fields.get("name"), image_owner=owner,
        source_region=source, waves=[{"regions": list(w)} for w in waves],
        auto_approve=bool(body.get("auto_approve")), state=machine.RUNNING, wave=0,
        trust_id=trust.id)
    rt.trusts.add(trust, OWNER, row.id)  # kept for a later roll back
    if owner == caller.project_id:  # auto mode must not copy around the rollout
        rt.image_settings.put(owner, image.id, mode="controlled",
                              source_region=source,
                              target_regions=sorted(regions),
                              propagate_deletes=False)
    rt.enqueue(CONTROLLER, row.id)   # its controller starts the first wave
    return view(rt, _store(rt).get(row.id), history=True)


def _load(rt: Runtime, caller: Caller, rollout_id: str) -> ImageRollout:
    """The rollout if the caller may see it; 404 otherwise (never reveal another project's)."""
    row = _store(rt).get(rollout_id)
    if row is None or not caller.allows(row.project_id):
        raise NotFound(f"image rollout {rollout_id} not found", field="rollout_id")
    return row


def get(rt: Runtime, caller: Caller, rollout_id: str) -> dict:
    return view(rt, _load(rt, caller, rollout_id), history=True)


def list_rollouts(rt: Runtime, caller: Caller, limit: int = 100,
                  marker: str | None = None) -> list[dict]:
    return [view(rt, r) for r in _store(rt).find(caller.project_id, limit=limit,
                                                 marker=marker)]


def act(rt: Runtime, caller: Caller, rollout_id: str, action: str) -> dict:
    """approve, pause, resume, abort or rollback: the decision is recorded now (409 when the
    state does not allow it) and the rollout's controller takes the steps it leads to."""
    _redelegate(rt, caller, _load(rt, caller, rollout_id))
    for _attempt in range(ACT_ATTEMPTS):
        row = _store(rt).get(rollout_id)
        before = _progress(row)
        rb_status, _tasks = _job(rt, row.rollback_job_id)
        try:
            after = machine.act(before, action, _job_fact(rb_status, row.rollback_job_id))
        except machine.NotAllowed as exc:
            raise Conflict(str(exc))
        values = {"rollback_job_id": None} if action == "rollback" else {}
        if _store(rt).save(rollout_id, [_event(action, caller.user_id, before.state,
                                                after.state, wave=after.wave)],
                           expect=(before.state, before.wave), state=after.state,
                           wave=after.wave, **values):
            break
    else:
        raise Conflict("the rollout is changing right now; try again", field="rollout_id")
    rt.enqueue(CONTROLLER, rollout_id)
    return view(rt, _store(rt).get(rollout_id), history=True)


# ---- views ---------------------------------------------------------------------------------
def event_view(e: RolloutEvent) -> dict:
    return {"at": iso(e.created_at), "actor": e.actor, "event": e.event,
            "from_state": e.from_state, "to_state": e.to_state, "wave": e.wave,
            "job_id": e.job_id, "detail": e.detail}


def view(rt: Runtime, row: ImageRollout, history: bool = False) -> dict:
    waves = [{"index": i, "regions": w["regions"], "job_id": w.get("job_id"),
              "job_status": _job(rt, w.get("job_id"))[0], "verified": bool(w.get("verified")),
              "error": w.get("error"), "last_error": w.get("last_error"),
              "copies": w.get("copies", {}), "hidden": w.get("hidden", {})}
             for i, w in enumerate(row.waves)]
    out = {"id": row.id, "project_id": row.project_id, "user_id": row.user_id,
           "image_id": row.image_id, "image_name": row.image_name,
           "source_region": row.source_region, "auto_approve": row.auto_approve,
           "state": row.state, "current_wave": row.wave, "waves": waves,
           "rollback_job_id": row.rollback_job_id,
           "rollback_job_status": _job(rt, row.rollback_job_id)[0],
           "created_at": iso(row.created_at),
           "updated_at": iso(row.updated_at)}
    if history:
        out["history"] = [event_view(e) for e in _store(rt).events(row.id)]
    return out
