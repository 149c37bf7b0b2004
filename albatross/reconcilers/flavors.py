"""Nova flavors (admin only): the same flavor, under the same id, in every target region.

The id is kept because servers, images and orchestration templates name flavors by id. Nova
lets only the description, the extra specs and the project access of a flavor change; any
other difference means deleting and recreating the flavor, which `force` allows."""
from albatross.reconcilers.base import (Conflict, NotInSource, Outcome, Plan,
                                        PlannedReconciler, TaskContext)
from albatross.regions import errors as region_errors
from albatross.regions import flavors as nova
from albatross.regions.flavors import FlavorState

# what Nova cannot change on an existing flavor
IMMUTABLE = ("id", "name", "ram", "vcpus", "disk", "swap", "ephemeral", "rxtx_factor",
             "is_public")


def _create_details(source: FlavorState) -> dict:
    return _compact({"extra_specs_set": sorted(source.extra_specs),
                     "access_added": sorted(source.access)})


def _compact(details: dict) -> dict:
    return {k: v for k, v in details.items() if v}


def _differs(name: str, source: FlavorState, target: FlavorState) -> bool:
    a, b = getattr(source, name), getattr(target, name)
    if name == "rxtx_factor" and (a is None or b is None):
        return False  # one side's microversion does not report it: nothing to compare
    return a != b


def mutable_changes(source: FlavorState, target: FlavorState) -> dict:
    """What to write so that target's description, extra specs and access equal source's."""
    src, dst = source.extra_specs, target.extra_specs
    return _compact({
        "description_updated": (source.description or None) != (target.description or None),
        "extra_specs_set": sorted(k for k in src if dst.get(k) != src[k]),
        "extra_specs_unset": sorted(k for k in dst if k not in src),
        "access_added": sorted(source.access - target.access),
        "access_removed": sorted(target.access - source.access),
    })


def diff_flavor(source: FlavorState, target: FlavorState | None, force: bool) -> Plan:
    if target is None:
        return Plan("create", "absent in target", source, None, _create_details(source))
    differ = [f for f in IMMUTABLE if _differs(f, source, target)]
    if differ:
        text = ", ".join(f"{f} {getattr(target, f)!r} (source {getattr(source, f)!r})"
                         for f in differ)
        if force:
            return Plan("replace", f"differs in {text}; force deletes and recreates it",
                        source, target, {"replaced_fields": differ, **_create_details(source)})
        return Plan("conflict", f"flavor {source.name!r} exists in the target with {text}; "
                                "Nova cannot change these fields, set force to delete and "
                                "recreate the flavor", source, target)
    changes = mutable_changes(source, target)
    if not changes:
        return Plan("none", "identical flavor already present", source, target)
    return Plan("update", "description, extra specs or access differ", source, target, changes)


class FlavorReconciler(PlannedReconciler):
    resource_type = "flavor"
    acts_for_user = False  # admin-only by nature

    def read_source(self, ctx: TaskContext) -> FlavorState:
        if ctx.payload.get("id"):
            return nova.from_snapshot(ctx.payload)
        state = nova.find_flavor(ctx.registry.connection(ctx.source_region), ctx.resource)
        if state is None:
            raise NotInSource(f"flavor {ctx.resource!r} not found in {ctx.source_region}")
        return state

    def read_target(self, ctx: TaskContext) -> FlavorState | None:
        return nova.read_target_flavor(ctx.registry.connection(ctx.target_region),
                                       ctx.payload.get("id"), ctx.resource)

    def diff(self, source, target, force) -> Plan:
        return diff_flavor(source, target, force)

    def apply(self, plan: Plan, ctx: TaskContext) -> Outcome:
        src: FlavorState = plan.desired
        if plan.action == "none":
            return Outcome("none", False, src.id)
        conn = ctx.registry.connection(ctx.target_region)
        if plan.action == "replace":
            nova.delete_flavor(conn, plan.current.id)
        if plan.action in ("create", "replace"):
            try:
                nova.create_flavor(conn, src)
            except region_errors.Conflict:
                # created meanwhile (a crashed earlier attempt, a concurrent run): look again
                again = self.diff(src, self.read_target(ctx), ctx.force)
                if again.action not in ("none", "update"):
                    raise Conflict(again.reason)
                nova.write_changes(conn, src, again.details)
                written = plan.action == "replace" or again.action == "update"
                return Outcome(again.action, written, src.id, details=again.details,
                               created=plan.action == "replace")
        nova.write_changes(conn, src, plan.details)
        return Outcome(plan.action, True, src.id, details=plan.details,
                       created=plan.action in ("create", "replace"))
