"""Rollback of a controlled rollout in one region: make the owner's images there what they
were just before the rollout's first write (the snapshot carried by the task). Older copies
it hid are shown again, fields it changed are put back, the copies it made are deleted; images
that appeared since and that the rollout did not make are left alone (they are someone's
work). Level-triggered like every reconciler: a re-run compares again and writes only what
still differs, so a rollback is safe to repeat."""
from albatross.images import meta
from albatross.images.meta import ImageState
from albatross.reconcilers.base import Lock, Outcome, Plan, PlannedReconciler, TaskContext
from albatross.reconcilers.images import LOCK_TTL, lock_name
from albatross.regions import images as glance

RESOURCE = "image_rollback"


def owned_images(conn, owner: str) -> list[ImageState]:
    """Every image of `owner` in a region; Glance lists hidden images only when asked."""
    found = {}
    for query in ({}, {"is_hidden": True}):
        for raw in glance.list_raw(conn, owner=owner, **query):
            found[raw["id"]] = meta.state_from_raw(raw)
    return list(found.values())


def plan_rollback(snapshot: list[ImageState], current: list[ImageState], made: set[str],
                  sources: set[str]) -> Plan:
    """Pure. `made`: ids of the copies the rollout's tasks reported; `sources`: the source
    image ids they copied (a copy whose task died before reporting still carries its
    source's id in its mark)."""
    before = {i.id: i for i in snapshot}
    now = {i.id: i for i in current}
    restore = {}
    for image_id, old in before.items():
        cur = now.get(image_id)
        if cur is None:
            continue
        changes, removed = meta.metadata_patch(old.fields, cur.fields)
        if cur.hidden != old.hidden:
            changes["os_hidden"] = old.hidden
        if changes or removed:
            restore[image_id] = {"changes": changes, "removed": removed}
    new = [i for i in current if i.id not in before]
    delete = sorted(i.id for i in new
                    if i.id in made or i.fields.get(meta.SOURCE_MARK) in sources)
    details = {"restore": restore, "delete": delete,
               "missing": sorted(set(before) - set(now)),
               "left": sorted(i.id for i in new if i.id not in delete)}
    action = "restore" if restore or delete else "none"
    return Plan(action, "the region differs from its snapshot" if restore or delete
                else "the region is as it was", details=details)


class ImageRollbackReconciler(PlannedReconciler):
    resource_type = RESOURCE
    tracks_mappings = False  # it removes copies; the mappings to them go too (apply)

    def read_source(self, ctx: TaskContext) -> dict:
        p = ctx.payload
        return {"snapshot": [ImageState.from_dict(d) for d in p["snapshot"]],
                "made": set(p.get("made", ())), "sources": set(p.get("sources", ()))}

    def read_target(self, ctx: TaskContext) -> list[ImageState]:
        return owned_images(ctx.registry.connection(ctx.target_region), ctx.payload["owner"])

    def diff(self, source: dict, target: list[ImageState], force: bool) -> Plan:
        return plan_rollback(source["snapshot"], target, source["made"], source["sources"])

    def apply(self, plan: Plan, ctx: TaskContext) -> Outcome:
        """Show the older copies again before removing the new ones: users always find one."""
        conn = ctx.registry.connection(ctx.target_region)
        d = plan.details
        writes = 0
        for image_id, patch in sorted(d["restore"].items()):
            writes += glance.update_fields(conn, image_id, patch["changes"], patch["removed"])
        for image_id in d["delete"]:
            glance.delete_image(conn, image_id)
            writes += 1
        if d["delete"]:
            self._forget(ctx, set(d["delete"]))
        return Outcome(plan.action, bool(writes), details={
            "writes": writes, "restored": sorted(d["restore"]), "deleted": d["delete"],
            "missing": d["missing"], "left": d["left"]})

    def _forget(self, ctx: TaskContext, deleted: set[str]) -> None:
        """Drop the mappings to deleted copies, so a later sync does not look for them."""
        mappings = ctx.records.mappings("image", ctx.payload["owner"])
        for source_key, row in mappings.load().items():
            if row.target_id in deleted:
                mappings.remove(source_key)

    def lock(self, ctx: TaskContext) -> Lock:
        """The image copy's own lock: never while a copy of the image runs there."""
        return Lock(lock_name(ctx.resource, ctx.target_region), LOCK_TTL,
                    "a copy of this image is in progress there; will look again")
