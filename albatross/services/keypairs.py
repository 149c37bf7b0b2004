"""Keypair cloning: validate everything, snapshot the source keys, then write the job and its
tasks (one per keypair x target region) in one transaction and hand them to the workers."""
from dataclasses import dataclass


from albatross.exceptions import NotFound
from albatross.db.jobs import TaskSpec
from albatross.reconcilers.keypairs import snapshot
from albatross.services import delegation
from albatross.services import jobs as job_service
from albatross.services import regions as region_service
from albatross.services.caller import Caller
from albatross.regions import keypairs as nova_keypairs
from albatross.services.runtime import Runtime

def _read_sources(rt: Runtime, caller: Caller, source: str, names: list[str],
                  user_id: str) -> dict[str, dict]:
    conn = delegation.acting(rt, caller).connection(source)
    found = rt.registry.fan_out(lambda name: nova_keypairs.get_keypair(conn, name, user_id),
                                names)
    out = {}
    for name, kp in found.items():
        if kp is None:
            raise NotFound(f"keypair {name!r} not found in region {source} for user {user_id}",
                           field="keypairs")
        if isinstance(kp, Exception):
            region_service.raise_read_failure(kp, source, "keypairs",
                                              refused=f"keypair name {name!r}",
                                              read=f"keypair {name!r}")
        out[name] = snapshot(kp)
    return out


@dataclass(frozen=True)
class SyncRequest:
    """Copy `keypairs` from `source_region` to `target_regions` (a list, or "all")."""
    source_region: str
    target_regions: object
    keypairs: list
    force: bool = False


def _plan(rt: Runtime, caller: Caller, req: SyncRequest,
          owner: str) -> tuple[dict, list[TaskSpec]]:
    targets = region_service.check_targets(rt, req.source_region, req.target_regions)
    names = list(dict.fromkeys(req.keypairs))
    sources = _read_sources(rt, caller, req.source_region, names, owner)
    specs = [TaskSpec("keypair", n, req.source_region, t, req.force, sources[n])
             for n in names for t in targets]
    return {"source_region": req.source_region, "target_regions": targets,
            "keypairs": names, "force": req.force}, specs


def request_sync(rt: Runtime, caller: Caller, requests: list[SyncRequest],
                 user_id: str | None = None, origin: str = "api") -> dict:
    """One job for all `requests`: everything is checked before anything is written."""
    owner = user_id or caller.user_id
    params, specs = [], []
    for req in requests:
        p, s = _plan(rt, caller, req, owner)
        params.append(p)
        specs.extend(s)
    return job_service.get(rt, caller, job_service.submit(
        rt, caller, kind="keypair_sync", user_id=owner, origin=origin,
        trust=delegation.grant(rt, caller), params={"syncs": params}, tasks=specs))
