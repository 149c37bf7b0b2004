"""Security group cloning: check everything, read the source once, then write one job with
one task per target region; each task carries the source snapshot, so every region is
compared against the same state (dcorch's lesson: fetch the source once per pass)."""
from dataclasses import dataclass


from albatross.exceptions import BadRequest, NotFound, UpstreamUnavailable
from albatross.db.jobs import TaskSpec
from albatross.regions.secgroups import read_snapshot
from albatross.secgroups import select
from albatross.secgroups.model import Snapshot
from albatross.services import delegation
from albatross.services import jobs as job_service
from albatross.services import regions as region_service
from albatross.services.caller import Caller
from albatross.regions import errors as region_errors
from albatross.services.runtime import Runtime

RESOURCE_TYPE = "security_group"


@dataclass(frozen=True)
class SyncRequest:
    source_region: str
    target_regions: object        # a list, or "all"
    selector: select.Selector
    project_id: str | None = None  # admin only: another project's groups


def read_source(rt: Runtime, project_id: str, region: str, regions=None) -> Snapshot:
    """`regions`: whose authority reads (the caller's, a policy's trust; default: the
    service account, for admin-only views)."""
    try:
        return read_snapshot((regions or rt.registry).connection(region), project_id)
    except (*region_errors.UNREACHABLE, region_errors.NoEndpoint, region_errors.SDKError) as exc:
        raise UpstreamUnavailable(f"cannot read security groups from {region}: "
                                  f"{type(exc).__name__}")


def selected(snapshot: Snapshot, selector: select.Selector, strict: bool = True) -> Snapshot:
    """The selection and its references, with errors that name the request's field."""
    try:
        return select.closure(snapshot, select.chosen_ids(snapshot, selector, strict))
    except select.UnknownGroups as exc:
        raise NotFound(f"no security group named {', '.join(map(repr, exc.names))} in the "
                       "source region", field="security_groups")
    except select.AmbiguousName as exc:
        raise BadRequest(str(exc), field="security_groups")
    except select.ForeignReference as exc:
        raise BadRequest(str(exc), field="security_groups")


def label(snapshot: Snapshot) -> str:
    """What the task's `resource` column shows: the groups it carries."""
    text = ", ".join(sorted(g.name for g in snapshot.groups.values()))
    return text if len(text) <= 255 else text[:252] + "..."


def task_specs(source_region: str, targets: list[str], snapshot: Snapshot,
               source_ids: list[str], **payload) -> list[TaskSpec]:
    body = {"source": snapshot.to_dict(), "source_ids": source_ids, **payload}
    return [TaskSpec(RESOURCE_TYPE, label(snapshot), source_region, t, False, body)
            for t in targets]


def request_sync(rt: Runtime, caller: Caller, req: SyncRequest, origin: str = "api") -> dict:
    project = req.project_id or caller.project_id
    targets = region_service.check_targets(rt, req.source_region, req.target_regions)
    source = read_source(rt, project, req.source_region, delegation.acting(rt, caller))
    chosen = selected(source, req.selector)
    specs = task_specs(req.source_region, targets, chosen, list(source.groups), scope="none",
                       repair=True, propagate_deletes=False)
    return job_service.get(rt, caller, job_service.submit(
        rt, caller, kind="security_group_sync", project_id=project, origin=origin,
        trust=delegation.grant(rt, caller), tasks=specs,
        params={"source_region": req.source_region, "target_regions": targets,
                "selector": req.selector.to_dict(),
                "security_groups": sorted(g.name for g in chosen.groups.values())}))
