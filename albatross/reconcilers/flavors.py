"""Nova flavors (admin only): the same flavor, under the same id, in every target region.

The id is kept because servers, images and orchestration templates name flavors by id. Nova
lets only the description, the extra specs and the project access of a flavor change; any
other difference means deleting and recreating the flavor, which `force` allows."""
from dataclasses import asdict, dataclass, field


from albatross.regions import errors as region_errors
from albatross.reconcilers.base import (Conflict, NotInSource, Outcome, Plan,
                                        PlannedReconciler, TaskContext)

# what Nova cannot change on an existing flavor
IMMUTABLE = ("id", "name", "ram", "vcpus", "disk", "swap", "ephemeral", "rxtx_factor",
             "is_public")


@dataclass(frozen=True)
class FlavorState:
    id: str
    name: str
    ram: int
    vcpus: int
    disk: int
    swap: int = 0
    ephemeral: int = 0
    rxtx_factor: float | None = None  # None where the compute microversion no longer has it
    is_public: bool = True
    description: str | None = None
    extra_specs: dict = field(default_factory=dict)
    access: frozenset = frozenset()  # project ids; always empty for a public flavor


def snapshot(state: FlavorState) -> dict:
    """JSON for the task payload."""
    return {**asdict(state), "access": sorted(state.access)}


def from_snapshot(data: dict) -> FlavorState:
    return FlavorState(**{**data, "access": frozenset(data.get("access", ()))})


def _state(compute, flavor) -> FlavorState:
    # Nova answers 404 for the access list of a public flavor
    access = frozenset() if flavor.is_public else frozenset(
        a["tenant_id"] for a in compute.get_flavor_access(flavor))
    return FlavorState(flavor.id, flavor.name, flavor.ram, flavor.vcpus, flavor.disk,
                       flavor.swap or 0, flavor.ephemeral or 0, flavor.rxtx_factor,
                       bool(flavor.is_public), flavor.description or None,
                       dict(flavor.extra_specs or {}), access)


def find_flavor(compute, name_or_id: str) -> FlavorState | None:
    """By id first, then by name, as the Nova clients do."""
    flavor = compute.find_flavor(name_or_id, ignore_missing=True, get_extra_specs=True)
    return None if flavor is None else _state(compute, flavor)


def read_target_flavor(compute, flavor_id: str | None, name: str) -> FlavorState | None:
    """The flavor with the source's id, else one holding its name (Nova names are unique,
    so that one blocks creating ours)."""
    if flavor_id:
        try:
            return _state(compute, compute.get_flavor(flavor_id, get_extra_specs=True))
        except region_errors.NotFound:
            pass
    flavor = next((f for f in compute.flavors() if f.name == name), None)
    return None if flavor is None else _state(compute, flavor)


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


def _create(compute, src: FlavorState) -> None:
    attrs = {k: getattr(src, k) for k in ("id", "name", "ram", "vcpus", "disk", "swap",
                                          "ephemeral", "is_public", "description")}
    if src.rxtx_factor is not None:
        attrs["rxtx_factor"] = src.rxtx_factor
    compute.create_flavor(**attrs)


def _write_changes(compute, src: FlavorState, details: dict) -> None:
    """Apply a plan's details. Repeats of a concurrent attempt (409 on add, 404 on remove)
    already have the wanted result."""
    if details.get("description_updated"):
        compute.update_flavor(src.id, description=src.description)
    to_set = details.get("extra_specs_set")
    if to_set:  # Nova's POST adds new keys and overwrites existing ones
        compute.create_flavor_extra_specs(src.id, {k: src.extra_specs[k] for k in to_set})
    for key in details.get("extra_specs_unset", ()):
        compute.delete_flavor_extra_specs_property(src.id, key, ignore_missing=True)
    for project in details.get("access_added", ()):
        try:
            compute.flavor_add_tenant_access(src.id, project)
        except region_errors.Conflict:
            pass
    for project in details.get("access_removed", ()):
        try:
            compute.flavor_remove_tenant_access(src.id, project)
        except region_errors.NotFound:
            pass


class FlavorReconciler(PlannedReconciler):
    resource_type = "flavor"
    acts_for_user = False  # admin-only by nature

    def read_source(self, ctx: TaskContext) -> FlavorState:
        if ctx.payload.get("id"):
            return from_snapshot(ctx.payload)
        state = find_flavor(ctx.registry.connection(ctx.source_region).compute, ctx.resource)
        if state is None:
            raise NotInSource(f"flavor {ctx.resource!r} not found in {ctx.source_region}")
        return state

    def read_target(self, ctx: TaskContext) -> FlavorState | None:
        return read_target_flavor(ctx.registry.connection(ctx.target_region).compute,
                                  ctx.payload.get("id"), ctx.resource)

    def diff(self, source, target, force) -> Plan:
        return diff_flavor(source, target, force)

    def apply(self, plan: Plan, ctx: TaskContext) -> Outcome:
        src: FlavorState = plan.desired
        if plan.action == "none":
            return Outcome("none", False, src.id)
        compute = ctx.registry.connection(ctx.target_region).compute
        if plan.action == "replace":
            compute.delete_flavor(plan.current.id, ignore_missing=True)
        if plan.action in ("create", "replace"):
            try:
                _create(compute, src)
            except region_errors.Conflict:
                # created meanwhile (a crashed earlier attempt, a concurrent run): look again
                again = self.diff(src, self.read_target(ctx), ctx.force)
                if again.action not in ("none", "update"):
                    raise Conflict(again.reason)
                _write_changes(compute, src, again.details)
                written = plan.action == "replace" or again.action == "update"
                return Outcome(again.action, written, src.id, details=again.details,
                               created=plan.action == "replace")
        _write_changes(compute, src, plan.details)
        return Outcome(plan.action, True, src.id, details=plan.details,
                       created=plan.action in ("create", "replace"))
