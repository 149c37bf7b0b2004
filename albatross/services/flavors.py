"""Flavor sync (admin only, by policy): check everything, snapshot each source flavor with its
extra specs and project access, then write one job with a task per flavor x target region.
Project ids are copied as they are: with one shared Keystone they are the same everywhere."""
from dataclasses import dataclass


from albatross.exceptions import BadRequest, NotFound
from albatross.db.jobs import TaskSpec
from albatross.regions.flavors import FlavorState, find_flavor, snapshot
from albatross.services import jobs as job_service
from albatross.services import regions as region_service
from albatross.services.caller import Caller
from albatross.regions import errors as region_errors
from albatross.services.runtime import Runtime


@dataclass(frozen=True)
class SyncRequest:
    """Copy `flavors` (names or ids) from `source_region` to `target_regions` (or "all")."""
    source_region: str
    target_regions: object
    flavors: list
    force: bool = False


def _check(ref: str, source: str, found) -> FlavorState:
    """The flavor, or the error that tells the caller which one and why."""
    if found is None:
        raise NotFound(f"flavor {ref!r} not found in region {source}", field="flavors")
    if isinstance(found, region_errors.Duplicate):
        raise BadRequest(f"{ref!r} names more than one flavor in {source}; give its id",
                         field="flavors")
    if isinstance(found, Exception):
        region_service.raise_read_failure(found, source, "flavors", refused=f"flavor {ref!r}",
                                          read=f"flavor {ref!r}")
    return found


def _read_sources(rt: Runtime, source: str, refs: list[str]) -> list[FlavorState]:
    conn = rt.registry.connection(source)
    found = rt.registry.fan_out(lambda ref: find_flavor(conn, ref), refs)
    states: dict[str, FlavorState] = {}
    for ref in refs:  # a name and the id of one flavor make one flavor
        state = _check(ref, source, found[ref])
        states.setdefault(state.id, state)
    return list(states.values())


def _plan(rt: Runtime, req: SyncRequest) -> tuple[dict, list[TaskSpec]]:
    targets = region_service.check_targets(rt, req.source_region, req.target_regions)
    flavors = _read_sources(rt, req.source_region, list(dict.fromkeys(req.flavors)))
    specs = [TaskSpec("flavor", f.name, req.source_region, t, req.force, snapshot(f))
             for f in flavors for t in targets]
    return {"source_region": req.source_region, "target_regions": targets,
            "flavors": [{"id": f.id, "name": f.name} for f in flavors],
            "force": req.force}, specs


def request_sync(rt: Runtime, caller: Caller, requests: list[SyncRequest],
                 origin: str = "api") -> dict:
    """One job for all `requests`: everything is checked before anything is written. The
    caller's right to do this is the API's policy check (albatross:flavors:sync)."""
    params, specs = [], []
    for req in requests:
        p, s = _plan(rt, req)
        params.append(p)
        specs.extend(s)
    return job_service.get(rt, caller, job_service.submit(
        rt, caller, kind="flavor_sync", origin=origin, params={"syncs": params}, tasks=specs))
