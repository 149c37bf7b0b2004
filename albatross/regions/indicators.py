"""What a region holds and can hold, read with the service account (admin): Placement's
capacity and usage, and how many objects of each kind exist in all projects."""
from concurrent.futures import ThreadPoolExecutor

from albatross.indicators.catalog import PLACEMENT_CLASSES


def capacity(total: int, reserved: int | None, allocation_ratio: float | None) -> float:
    """What Placement lets be allocated from one inventory: (total - reserved) * ratio."""
    return (total - (reserved or 0)) * (1.0 if allocation_ratio is None else allocation_ratio)


def _provider(conn, rp) -> tuple[dict[str, float], dict[str, int]]:
    inventories = {inv.resource_class: capacity(inv.total, inv.reserved, inv.allocation_ratio)
                   for inv in conn.placement.resource_provider_inventories(rp)}
    usages = conn.placement.fetch_resource_provider_usages(rp).usages or {}
    return inventories, usages


def read_placement(conn, max_parallel: int = 8) -> dict[str, dict[str, float]]:
    """{resource class: {"capacity", "used"}} summed over every resource provider (nested
    and sharing providers hold their own inventories, so nothing is counted twice). Every
    class is there, with 0 when the region has no provider of it. Providers are read a few
    at once: Placement has no call for all inventories."""
    out = {rc: {"capacity": 0.0, "used": 0.0} for rc in PLACEMENT_CLASSES}
    providers = list(conn.placement.resource_providers())
    if not providers:
        return out
    with ThreadPoolExecutor(min(max_parallel, len(providers)),
                            thread_name_prefix="placement") as pool:
        for inventories, usages in pool.map(lambda rp: _provider(conn, rp), providers):
            for rc in PLACEMENT_CLASSES:
                out[rc]["capacity"] += inventories.get(rc, 0.0)
                out[rc]["used"] += usages.get(rc, 0)
    return out


# the cheapest listing of each kind across all projects: ids only where the API allows it
_LISTINGS = {
    "servers": lambda c: c.compute.servers(details=False, all_projects=True),
    "volumes": lambda c: c.block_storage.volumes(details=False, all_projects=True),
    "images": lambda c: c.image.images(visibility="all"),
    "networks": lambda c: c.network.networks(fields="id"),
    "ports": lambda c: c.network.ports(fields="id"),
    "floating_ips": lambda c: c.network.ips(fields="id"),
}


def count(conn, kind: str) -> int:
    """Objects of `kind` (catalog.COUNTED_KINDS) in every project of the region."""
    return sum(1 for _ in _LISTINGS[kind](conn))
