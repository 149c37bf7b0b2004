"""The regions as the API shows them: name, where they are, and how healthy."""

from albatross.exceptions import BadRequest, UpstreamUnavailable
from albatross.regions import errors as region_errors
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


ALL_REGIONS = "all"


def resolve_targets(rt: Runtime, source: str, targets) -> list[str]:
    """`"all"` means every region but the source ("clone to all my regions")."""
    if targets == ALL_REGIONS:
        return [r for r in region_names(rt) if r != source]
    return list(dict.fromkeys(targets))  # without duplicates, in the caller's order


def check_targets(rt: Runtime, source: str, targets) -> list[str]:
    """A known source region and at least one known target region other than it; 400s name
    the field."""
    require_regions(rt, [source], "source_region")
    resolved = resolve_targets(rt, source, targets)
    if not resolved:
        raise BadRequest("no target region: give at least one region other than the source",
                         field="target_regions")
    if source in resolved:
        raise BadRequest(f"target_regions must not include the source region {source}",
                         field="target_regions")
    require_regions(rt, resolved, "target_regions")
    return resolved


def raise_read_failure(exc: Exception, source: str, field: str, *, refused: str,
                       read: str):
    """Turn a failed read of the source region into the API's answer: its 4xx a 400 naming
    `field`, unreachable a 503; anything else is a bug and goes up as it is."""
    if isinstance(exc, region_errors.HttpError) and exc.status_code and \
            400 <= exc.status_code < 500:
        raise BadRequest(f"{source} refused {refused}: HTTP {exc.status_code}", field=field)
    if isinstance(exc, (*region_errors.UNREACHABLE, region_errors.SDKError)):
        raise UpstreamUnavailable(f"cannot read {read} from {source}: {type(exc).__name__}")
    raise exc


def require_regions(rt: Runtime, names: list[str], field: str) -> None:
    """400 naming the field and the unknown region, before anything is written."""
    known = region_names(rt)
    for n in names:
        if n not in known:
            raise BadRequest(f"unknown region {n!r} in {field}; known regions: "
                             f"{', '.join(known)}", field=field)
