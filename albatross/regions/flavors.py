"""Nova flavors as Albatross reads and writes them, through openstacksdk's compute proxy
(admin only)."""
from dataclasses import asdict, dataclass, field

from openstack import exceptions as sdk_exc


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


def find_flavor(conn, name_or_id: str) -> FlavorState | None:
    """By id first, then by name, as the Nova clients do."""
    compute = conn.compute
    flavor = compute.find_flavor(name_or_id, ignore_missing=True, get_extra_specs=True)
    return None if flavor is None else _state(compute, flavor)


def read_target_flavor(conn, flavor_id: str | None, name: str) -> FlavorState | None:
    """The flavor with the source's id, else one holding its name (Nova names are unique,
    so that one blocks creating ours)."""
    compute = conn.compute
    if flavor_id:
        try:
            return _state(compute, compute.get_flavor(flavor_id, get_extra_specs=True))
        except sdk_exc.NotFoundException:
            pass
    flavor = next((f for f in compute.flavors() if f.name == name), None)
    return None if flavor is None else _state(compute, flavor)


def create_flavor(conn, src: FlavorState) -> None:
    """Under the source's id (a Conflict: it, or its name, exists)."""
    attrs = {k: getattr(src, k) for k in ("id", "name", "ram", "vcpus", "disk", "swap",
                                          "ephemeral", "is_public", "description")}
    if src.rxtx_factor is not None:
        attrs["rxtx_factor"] = src.rxtx_factor
    conn.compute.create_flavor(**attrs)


def delete_flavor(conn, flavor_id: str) -> None:
    conn.compute.delete_flavor(flavor_id, ignore_missing=True)


def write_changes(conn, src: FlavorState, details: dict) -> None:
    """Apply a plan's details. Repeats of a concurrent attempt (409 on add, 404 on remove)
    already have the wanted result."""
    compute = conn.compute
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
        except sdk_exc.ConflictException:
            pass
    for project in details.get("access_removed", ()):
        try:
            compute.flavor_remove_tenant_access(src.id, project)
        except sdk_exc.NotFoundException:
            pass
