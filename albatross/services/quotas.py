"""Global quotas as the API promises them: the live global view, limits and classes (admin
only), rebalancing as durable jobs."""
from albatross.db.quotas import DEFAULT_CLASS, QuotaStore
from albatross.exceptions import BadRequest, NotFound
from albatross.reconcilers.errors import classify
from albatross.db.jobs import TaskSpec
from albatross.quota.limits import effective_limits, validate_limit
from albatross.quota.view import global_view
from albatross.regions.quotas import read_all_regions
from albatross.services import jobs as job_service
from albatross.services import regions as region_service
from albatross.services.caller import Caller
from albatross.services.runtime import Runtime
from albatross.timestamps import iso

ALL = "*"


def _store(rt: Runtime) -> QuotaStore:
    return rt.quotas






def governed(rt: Runtime, store: QuotaStore, project_id: str) -> bool:
    """Whether Albatross rebalances this project (so its global limits are enforced): it has
    limits or a class of its own, or periodic rebalances cover every project."""
    opts = rt.conf.quota
    return (opts.all_projects and opts.rebalance_interval > 0) \
        or store.is_governed(project_id)


def _over_limit(record: dict | None) -> dict | None:
    if record is None:
        return None
    return {"over_by": record["over_by"], "total_usage": record["total_usage"],
            "global_limit": record["global_limit"], "since": iso(record["since"]),
            "regions": record["regions"]}


def view(rt: Runtime, caller: Caller, project_id: str) -> dict:
    store = _store(rt)
    hard, soft, klass = store.effective(project_id)
    soft = {r: limit for r, (limit, _over) in soft.items()}
    raw = read_all_regions(rt.registry, project_id, region_service.region_names(rt))
    regions, readings = {}, {}
    for region, value in raw.items():
        if isinstance(value, Exception):
            regions[region] = {"status": "unreachable",
                               "error": classify(value, region).message}
            readings[region] = None
        else:
            regions[region] = {"status": "ok"}
            readings[region] = value
    return {"project_id": project_id, "quota_class": klass or DEFAULT_CLASS,
            "complete": all(r["status"] == "ok" for r in regions.values()),
            "regions": regions,
            "resources": global_view(hard, soft, readings, governed(rt, store, project_id),
                                     {r: _over_limit(v) for r, v in
                                      store.overshoots(project_id).items()})}


def _check_limits(limits: dict, field: str) -> None:
    for name, value in limits.items():
        problem = validate_limit(name, value)
        if problem:
            raise BadRequest(f"{field}.{name}: {problem}", field=f"{field}.{name}")


def set_project(rt: Runtime, caller: Caller, project_id: str, *, limits: dict,
                soft: dict, quota_class=ALL) -> dict:
    """Admin: store the project's limits (all or nothing), then rebalance it."""
    _check_limits(limits, "limits")
    _check_limits({k: 0 for k in soft}, "soft")
    store = _store(rt)
    if quota_class not in (ALL, None, DEFAULT_CLASS) and quota_class not in store.class_names():
        raise BadRequest(f"unknown quota class {quota_class!r}", field="quota_class")
    store.set_project(project_id, limits,
                      {k: (v.get("absolute"), v.get("percent")) for k, v in soft.items()},
                      None if quota_class in (None, DEFAULT_CLASS) else quota_class,
                      set_class=quota_class is not ALL)
    return request_rebalance(rt, caller, [project_id])


def delete_project(rt: Runtime, caller: Caller, project_id: str,
                   resources: list[str] | None = None) -> int:
    if resources:
        _check_limits({r: 0 for r in resources}, "resources")
    removed = _store(rt).delete_project(project_id, resources)
    if removed == 0:
        raise NotFound(f"project {project_id} has no quota limits of its own",
                       field="project_id")
    request_rebalance(rt, caller, [project_id])
    return removed


def get_class(rt: Runtime, class_name: str) -> dict[str, int]:
    store = _store(rt)
    return effective_limits({}, store.class_limits(class_name),
                            store.class_limits(DEFAULT_CLASS))


def set_class(rt: Runtime, class_name: str, limits: dict) -> dict[str, int]:
    _check_limits(limits, "limits")
    _store(rt).set_class(class_name, limits)
    return get_class(rt, class_name)


def delete_class(rt: Runtime, class_name: str) -> None:
    if _store(rt).delete_class(class_name) == 0:
        raise NotFound(f"quota class {class_name!r} not found", field="class_name")


def request_rebalance(rt: Runtime, caller: Caller, project_ids: list[str],
                      origin: str = "api") -> dict:
    """One job, one task per project: each task rebalances every resource in every region."""
    specs = [TaskSpec("quota", p, ALL, ALL) for p in project_ids]
    return job_service.get(rt, caller, job_service.submit(
        rt, caller, kind="quota_rebalance", origin=origin, params={"projects": project_ids},
        tasks=specs))


def events(rt: Runtime, caller: Caller, project_id: str, limit: int = 100) -> list[dict]:
    return [{"id": e.id, "kind": e.kind, "resource": e.resource, "usage": e.usage,
             "threshold": e.threshold, "hard_limit": e.hard_limit, "detail": e.detail,
             "created_at": iso(e.created_at)}
            for e in _store(rt).events(project_id, limit)]
