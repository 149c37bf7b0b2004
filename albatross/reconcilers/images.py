"""Images: one task per (image, target region), run as a batch so that the image is read once
from the source and streamed to every target region at the same time (images/stream.py).

Per target: an ACTIVE copy with the same bytes only has its metadata brought in line; a
missing one is created under the source's id when that id is free (else a new id, remembered
in the mapping table and in the copy's `albatross_source_id` property), filled, then verified
against the source's hash. A copy that fails or does not verify is deleted: no half image is
ever left, and none is ever ACTIVE with the wrong bytes."""
import logging
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from albatross.images import meta
from albatross.images.meta import ImageState
from albatross.images.stream import FanOut, StreamAborted
from albatross.reconcilers.base import (Conflict, Lock, Outcome, Plan, Reconciler,
                                        RegionsFailed, TaskContext, check_lease)
from albatross.regions import errors as region_errors
from albatross.regions import images as glance

LOG = logging.getLogger(__name__)
RESOURCE = "image"
PROGRESS_EVERY = 1.0  # seconds between progress writes per task
LOCK_TTL = 120.0  # the lease is renewed every TTL/3 while the copy runs
LOCK_WAIT = 15.0  # seconds a copy waits for the (image, region) lease before retrying


class CopyFailed(RegionsFailed):
    """The bytes did not arrive intact; the half copy was removed. A RegionsFailed so that
    the task's error says why; final unless the source's stream broke (a retry may work)."""

    def __init__(self, message: str, transient: bool = False):
        super().__init__(message, transient)


@dataclass
class Target:
    ctx: TaskContext
    plan: Plan
    lease: Any        # the copy's held lock (db.locks.Lease): its `lost` stops the upload
    image_id: str | None = None   # the copy's id once its record exists
    created: bool = False


def lock_name(image_id: str, region: str) -> str:
    """The lease that serialises everything written for one image in one region (copies
    and the janitor of unfinished ones)."""
    return f"{RESOURCE}:{image_id}:{region}"


def _mappings(ctx: TaskContext, source: ImageState):
    return ctx.records.mappings(RESOURCE, source.owner or ctx.project_id)


def diff_image(source: ImageState, current: ImageState | None, desired: dict, force: bool,
               ours: bool) -> Plan:
    """Pure. `ours`: Albatross made `current` (mapped, or marked with the source's id). A
    target image of another owner is never ours, filled, replaced or updated, whatever its
    id and properties say: a tenant can make an image with any free id and any property."""
    if current is None:
        return Plan("create", "absent in target", source)
    if source.owner and current.owner != source.owner:
        return Plan("conflict", f"image {current.id} in the target belongs to another project "
                                f"({current.owner}); it is left alone", source, current)
    if current.status == "active" and current.same_bytes(source):
        changes, removed = meta.metadata_patch(desired, current.fields)
        if current.hidden != source.hidden:
            changes["os_hidden"] = source.hidden
        if changes or removed:
            return Plan("update", "metadata differs", source, current,
                        {"changes": changes, "removed": removed})
        return Plan("none", "identical copy present", source, current)
    if current.status == "queued" and ours:
        return Plan("fill", "a record Albatross made has no data yet", source, current)
    if ours and current.status != "active":
        return Plan("recreate", f"an unfinished copy ({current.status}) is in the way",
                    source, current)
    if force:
        return Plan("replace", "different bytes; force replaces the copy", source, current)
    return Plan("conflict", f"image {current.id} in the target has different content "
                            f"(status {current.status}); set force to replace it",
                source, current)


class ImageReconciler(Reconciler):
    resource_type = RESOURCE
    tracks_mappings = False
    batched = True
    # one download streams to this many regions at once: each holds chunk x depth in memory
    # and an upload thread, so thousands of targets take several downloads, not gigabytes
    batch_limit = 32

    def read_source(self, ctx: TaskContext) -> ImageState:
        return ImageState.from_dict(ctx.payload["source"])

    def read_target(self, ctx: TaskContext) -> tuple[ImageState | None, bool]:
        source = self.read_source(ctx)
        conn = ctx.registry.connection(ctx.target_region)
        row = _mappings(ctx, source).load().get(source.id)
        if row is not None:
            current = glance.read_image(conn, row.target_id)
            if current is not None:
                return current, row.created_by_albatross
        current = glance.read_image(conn, source.id)
        ours = current is not None and current.fields.get(meta.SOURCE_MARK) == source.id
        return current, ours

    def diff(self, source, target, force) -> Plan:
        current, ours = target
        return diff_image(source, current, meta.desired_fields(source, {}), force, ours)

    def apply(self, plan: Plan, ctx: TaskContext) -> Outcome:
        return self.reconcile_batch([ctx])[ctx.task_id]

    def reconcile(self, ctx: TaskContext) -> Outcome:
        result = self.reconcile_batch([ctx])[ctx.task_id]
        if isinstance(result, Exception):
            raise result
        return result

    def lock(self, ctx: TaskContext) -> Lock:
        """One copy per (image, region) at a time, across jobs (renewed while the copy runs),
        so that two jobs never race to create two copies."""
        return Lock(lock_name(ctx.resource, ctx.target_region), LOCK_TTL,
                    "another copy of this image is in progress there; will look again",
                    wait=LOCK_WAIT)

    # ---- the batch --------------------------------------------------------------------
    def reconcile_batch(self, ctxs: list[TaskContext]) -> dict[str, Outcome | Exception]:
        """The job's copies of one image, each context holding its copy's lock. Each
        target's reads, record and read-back run at once through the registry's fan-out:
        one after another, a batch of 32 regions 150 ms away spent 30 s in round trips
        around a transfer of 0.7 s (bench/wan.py)."""
        by_task = {ctx.task_id: ctx for ctx in ctxs}
        planned = ctxs[0].registry.fan_out(lambda t: self._plan(by_task[t]), list(by_task))
        copies = [got for got in planned.values() if isinstance(got, Target)]
        results = {t: got for t, got in planned.items() if not isinstance(got, Target)}
        if copies:
            results.update(self._copy(copies))
        return results

    def _plan(self, ctx: TaskContext) -> Outcome | Target:
        """A copy that needs only its metadata brought in line is done here; one that needs
        the bytes comes back as a Target for the shared stream."""
        source = self.read_source(ctx)
        references = self._references(ctx, source)
        current, ours = self.read_target(ctx)
        desired = meta.desired_fields(source, references)
        plan = diff_image(source, current, desired, ctx.force, ours)
        plan.details["desired"] = desired
        if plan.action == "conflict":
            raise Conflict(plan.reason)
        if plan.action in ("none", "update"):
            check_lease(ctx.lease, ctx.target_region)
            return self._metadata_only(ctx, plan)
        return Target(ctx, plan, ctx.lease)

    def _references(self, ctx: TaskContext, source: ImageState) -> dict[str, str]:
        """AMI kernel/ramdisk ids -> their copies' ids here (copied first: else wait)."""
        out = {}
        conn = ctx.registry.connection(ctx.target_region)
        for key in meta.REFERENCES:
            ref = source.fields.get(key)
            if not ref:
                continue
            row = _mappings(ctx, source).load().get(ref)
            target_id = row.target_id if row else ref
            found = glance.read_image(conn, target_id)
            if found is None or found.status != "active":
                raise RegionsFailed(f"{ctx.target_region}: waiting for the copy of {key} "
                                    f"{ref} (copied by its own task)")
            out[ref] = target_id
        return out

    def _metadata_only(self, ctx: TaskContext, plan: Plan) -> Outcome:
        source, current = plan.desired, plan.current
        calls = 0
        if plan.action == "update":
            calls = glance.update_fields(ctx.registry.connection(ctx.target_region),
                                         current.id, plan.details["changes"],
                                         plan.details["removed"])
        # details={}: an adopted copy is no longer a leftover for the janitor
        _mappings(ctx, source).put(source.id, current.id, created=False, task_id=ctx.task_id,
                                   details={})
        return Outcome(plan.action, bool(calls), current.id, created=False, details={
            "same_id": current.id == source.id, "bytes": 0,
            "metadata_changed": sorted(plan.details.get("changes", {}))
            + [f"-{k}" for k in plan.details.get("removed", [])],
            "hidden": self._hide_replaced(ctx, source, current.id)})

    def _prepare(self, t: Target) -> None:
        """Make the record the bytes go into (and its mapping, at once)."""
        ctx, plan, source = t.ctx, t.plan, t.plan.desired
        check_lease(t.lease, ctx.target_region)
        conn = ctx.registry.connection(ctx.target_region)
        if plan.action == "fill":
            t.image_id = plan.current.id
            t.created = True
            _mappings(ctx, source).put(source.id, t.image_id, created=True,
                                       task_id=ctx.task_id, details={})
            return
        if plan.action == "recreate":
            glance.delete_image(conn, plan.current.id)
        fields = {k: v for k, v in plan.details["desired"].items() if k != "protected"}
        wanted_id = source.id if plan.action == "create" else None
        try:
            t.image_id = glance.create_record(conn, fields, image_id=wanted_id,
                                              owner=source.owner)
        except region_errors.Conflict:
            if wanted_id is None:
                raise
            # Glance never reuses an id, not even a deleted one's: take a new one
            t.image_id = glance.create_record(conn, fields, image_id=None, owner=source.owner)
        t.created = True
        # details={}: this record is in use again, not the unfinished one the janitor removes
        _mappings(ctx, source).put(source.id, t.image_id, created=True, task_id=ctx.task_id,
                                   details={})

    def _copy(self, targets: list[Target]) -> dict[str, Outcome | Exception]:
        registry = targets[0].ctx.registry
        by_task = {t.ctx.task_id: t for t in targets}
        prepared = registry.fan_out(lambda task: self._prepare(by_task[task]), list(by_task))
        results: dict[str, Outcome | Exception] = {
            task: got for task, got in prepared.items() if isinstance(got, Exception)}
        ready = [t for task, t in by_task.items() if task not in results]
        if not ready:
            return results
        first = ready[0].ctx
        source: ImageState = ready[0].plan.desired
        by_region = {t.ctx.target_region: t for t in ready}
        progress = _Progress(by_region, source.size)
        try:
            response = glance.download(first.registry.connection(first.source_region),
                                       source.id)
        except Exception as exc:
            for t in ready:
                self._discard(t)
                results[t.ctx.task_id] = exc
            return results
        fan = FanOut(response.iter_content(chunk_size=glance.CHUNK), list(by_region),
                     hash_algo=source.hash_algo, expected_hash=source.hash_value,
                     expected_md5=source.checksum, expected_size=source.size,
                     on_progress=progress.update)
        try:
            uploads = fan.run(lambda region, data: glance.upload(
                by_region[region].ctx.registry.connection(region), by_region[region].image_id,
                _while_held(by_region[region].lease, data), source.size))
        finally:
            response.close()
        # one region's read-back failing does not fail the verified others: fan_out
        # returns each region's exception as its value
        finished = registry.fan_out(
            lambda region: self._finish(by_region[region], uploads.get(region), fan),
            list(by_region))
        results.update({by_region[region].ctx.task_id: got for region, got in finished.items()})
        return results

    def _finish(self, t: Target, upload_result, fan: FanOut):
        ctx, source, stream_error = t.ctx, t.plan.desired, fan.error
        check_lease(t.lease, ctx.target_region)  # lost: the record is its new holder's now
        if isinstance(upload_result, Exception) or stream_error:
            self._discard(t)
            if stream_error or isinstance(upload_result, StreamAborted):
                return CopyFailed(f"{ctx.target_region}: copy aborted and removed: "
                                  f"{stream_error or upload_result}", fan.source_broke)
            if isinstance(upload_result, TimeoutError):  # worth another try
                return CopyFailed(f"{ctx.target_region}: {upload_result}; removed", True)
            return upload_result
        conn = ctx.registry.connection(ctx.target_region)
        copy = glance.read_image(conn, t.image_id)
        if copy is None or copy.status != "active" or not copy.same_bytes(source):
            self._discard(t)
            got = "missing" if copy is None else f"{copy.status}, {copy.hash_value}"
            return CopyFailed(f"{ctx.target_region}: the copy does not match the source "
                              f"({got}); it was removed")
        if source.fields.get("protected") or source.hidden:
            glance.update_fields(conn, t.image_id, {"protected": bool(
                source.fields.get("protected")), "os_hidden": source.hidden}, [])
        return Outcome(t.plan.action, True, t.image_id, created=True, details={
            "same_id": t.image_id == source.id, "bytes": source.size,
            "hash_algo": copy.hash_algo, "hash_value": copy.hash_value,
            "hidden": self._hide_replaced(ctx, source, t.image_id)})

    def _discard(self, t: Target) -> None:
        """Remove the record a failed copy was going into, and its mapping (not once the lease
        is lost: its new holder may be filling that record)."""
        if not t.created or t.image_id is None or t.lease.lost:
            return
        mappings = _mappings(t.ctx, t.plan.desired)
        try:
            glance.delete_image(t.ctx.registry.connection(t.ctx.target_region), t.image_id)
            mappings.remove(t.plan.desired.id)
        except Exception as exc:  # the region is down: the janitor removes it when it is back
            LOG.warning("%s: could not remove the unfinished copy %s yet: %s",
                        t.ctx.target_region, t.image_id, type(exc).__name__)
            mappings.put(t.plan.desired.id, t.image_id, created=True, task_id=t.ctx.task_id,
                         details={"unfinished": True})

    def _hide_replaced(self, ctx: TaskContext, source: ImageState, copy_id: str) -> list[str]:
        """With `hide_replaced` (a rollout of a new version): hide the older copies Albatross
        made under the same name, so that the new one is what users find."""
        if not ctx.payload.get("hide_replaced"):
            return []
        conn = ctx.registry.connection(ctx.target_region)
        hidden = []
        for raw in glance.list_raw(conn, owner=source.owner, name=source.name):
            if raw["id"] != copy_id and raw.get(meta.SOURCE_MARK) and \
                    raw.get(meta.SOURCE_MARK) != source.id and not raw.get("os_hidden"):
                glance.set_hidden(conn, raw["id"], True)
                hidden.append(raw["id"])
        return hidden


def _while_held(lease, chunks: Iterator[bytes]) -> Iterator[bytes]:
    """An upload body that aborts the upload (the copy never completes) once the lease is
    lost: another worker may be writing this image there now."""
    for chunk in chunks:
        if lease.lost:
            raise StreamAborted(f"lost the lease {lease.name}")
        yield chunk


class _Progress:
    """Bytes done per target task, written at most every PROGRESS_EVERY seconds."""

    def __init__(self, by_region: dict[str, Target], total: int | None):
        self.by_region, self.total = by_region, total
        self.last: dict[str, float] = {}
        self.lock = threading.Lock()

    def update(self, region: str, done: int) -> None:
        now = time.monotonic()
        with self.lock:
            if now - self.last.get(region, 0) < PROGRESS_EVERY and done != self.total:
                return
            self.last[region] = now
        report = self.by_region[region].ctx.report
        if report is not None:
            report({"bytes_done": done, "bytes_total": self.total})
