"""The regions as the API shows them: name, where they are, and how healthy."""
from albatross.exceptions import BadRequest, UpstreamUnavailable
from albatross.services.runtime import Runtime


def list_regions(rt: Runtime, with_health: bool = True) -> list[dict]:
    try:
        regions = rt.registry.regions()
    except Exception as exc:
        raise UpstreamUnavailable(f"cannot read the region catalog: {type(exc).__name__}")
    health = rt.health.check(list(regions)) if with_health else {}
    out = []
    for name, region in regions.items():
        entry = {"name": name, "cloud": region.cloud, "region_name": region.region_name,
                 "identity_url": region.keystone}
        if with_health:
            entry["status"] = health[name]["status"]
            entry["services"] = [{"type": st, **info}
                                 for st, info in sorted(health[name]["services"].items())]
        else:
            entry["services"] = [{"type": st, "url": url}
                                 for st, url in sorted(region.endpoints.items())]
        out.append(entry)
    return out


def region_names(rt: Runtime) -> list[str]:
    """The managed regions, or 503 when the catalog cannot be read."""
    try:
        return rt.registry.names()
    except Exception as exc:
        raise UpstreamUnavailable(f"cannot read the region catalog: {type(exc).__name__}")


def require_regions(rt: Runtime, names: list[str], field: str) -> None:
    """400 naming the field and the unknown region, before anything is written."""
    known = region_names(rt)
    for n in names:
        if n not in known:
            raise BadRequest(f"unknown region {n!r} in {field}; known regions: "
                             f"{', '.join(known)}", field=field)
