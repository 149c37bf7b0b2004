"""Jobs as a tenant sees them: only their own project's (an admin sees every project's)."""
from albatross.db.models import Job, Task
from albatross.exceptions import BadRequest, Conflict, NotFound
from albatross.db import job_states as states
from albatross.services import delegation
from albatross.services.caller import Caller
from albatross.services.runtime import Runtime
from albatross.timestamps import iso

SERVICE_KINDS = ("flavor_sync", "quota_rebalance")  # admin-only work: no trust


def task_view(t: Task) -> dict:
    return {"id": t.id, "resource_type": t.resource_type, "resource": t.resource,
            "source_region": t.source_region, "target_region": t.target_region,
            "force": t.force, "status": t.status, "error": t.error, "attempts": t.attempts,
            "result": t.result or {}, "created_at": iso(t.created_at),
            "started_at": iso(t.started_at), "finished_at": iso(t.finished_at),
            "duration_ms": (round((t.finished_at - t.started_at).total_seconds() * 1000)
                            if t.finished_at and t.started_at else None)}


def job_view(job: Job, counts: dict, tasks: list[Task] | None = None,
             last_finished=None) -> dict:
    out = {"id": job.id, "kind": job.kind, "status": states.job_status(counts),
           "project_id": job.project_id, "user_id": job.user_id, "origin": job.origin,
           "request_id": job.request_id, "params": job.params, "task_counts": {s: counts.get(s, 0)
                                                 for s in states.TASK_STATES},
           "created_at": iso(job.created_at), "updated_at": iso(job.updated_at)}
    if tasks is not None:
        out["tasks"] = [task_view(t) for t in tasks]
        done = out["status"] in (states.SUCCESS, states.FAILED)
        out["finished_at"] = iso(last_finished) if done and last_finished else None
    return out


def load(rt: Runtime, caller: Caller, job_id: str) -> tuple[Job, list[Task], dict]:
    """The job if the caller may see it; 404 otherwise (never reveal another project's ids)."""
    found = rt.store.get_job(job_id)
    if found is None or not caller.allows(found[0].project_id):
        raise NotFound(f"job {job_id} not found", field="job_id")
    job, tasks = found
    counts: dict[str, int] = {}
    for t in tasks:
        counts[t.status] = counts.get(t.status, 0) + 1
    return job, tasks, counts


def submit(rt: Runtime, caller: Caller | None, *, kind: str, params: dict, tasks: list,
           origin: str = "api", trust=None, project_id: str | None = None,
           user_id: str | None = None, dispatch: bool = True) -> str:
    """The one job sequence of the service layer: the job and all its tasks in one
    transaction (for `caller`'s project and user and request id unless named), then the hint
    to the workers (`dispatch` False: the caller announces them itself). Returns its id."""
    job_id, task_ids = rt.store.create_job(
        project_id=project_id or caller.project_id, user_id=user_id or caller.user_id,
        kind=kind, origin=origin, params=params, tasks=tasks, trust=trust,
        request_id=caller.global_id if caller is not None else None)
    if dispatch:
        rt.dispatcher.dispatch(task_ids)
    return job_id


TASKS_PAGE = 1000   # tasks shown with a job at most (job_page: the next page by marker)


def get(rt: Runtime, caller: Caller, job_id: str, tasks_limit: int = TASKS_PAGE,
        tasks_marker: str | None = None) -> dict:
    """The job with its task counts and one page of its tasks (0: none, for a progress
    poll); `tasks_next` is the marker of the next page when there is one."""
    try:
        found = rt.store.job_page(job_id, tasks_limit + 1 if tasks_limit else 0,
                                  tasks_marker)
    except KeyError:   # the marker is no task of this job: 400, once the job is theirs
        found = rt.store.job_page(job_id, 0)
        if found is not None and caller.allows(found[0].project_id):
            raise BadRequest(f"{tasks_marker} is no task of job {job_id}",
                             field="tasks_marker") from None
        found = None
    if found is None or not caller.allows(found[0].project_id):
        raise NotFound(f"job {job_id} not found", field="job_id")
    job, counts, last, tasks = found
    out = job_view(job, counts, tasks[:tasks_limit], last)
    if tasks_limit and len(tasks) > tasks_limit:
        out["tasks_next"] = tasks[tasks_limit - 1].id
    return out


def list_jobs(rt: Runtime, caller: Caller, *, all_projects: bool = False,
              kind: str | None = None, active_only: bool = False, limit: int = 100,
              marker: str | None = None, user_only: bool = False) -> list[dict]:
    project = None if all_projects else caller.project_id   # the route checked the rule
    rows = rt.store.list_jobs(project_id=project, kind=kind, active_only=active_only,
                              limit=limit, marker=marker,
                              user_id=caller.user_id if user_only else None)
    return [job_view(j, c) for j, c in rows]


def delete(rt: Runtime, caller: Caller, job_id: str, conflict_error=Conflict) -> None:
    """Forget a finished job (its records only: what it created stays in the regions)."""
    job, _tasks, counts = load(rt, caller, job_id)
    if states.job_status(counts) in (states.QUEUED, states.RUNNING):
        raise conflict_error(f"job {job_id} is still {states.job_status(counts)}; "
                             "delete it when it has finished")
    rt.store.delete_job(job_id)
    delegation.release(rt, "job", job_id)


def retry(rt: Runtime, caller: Caller, job_id: str) -> dict:
    """Run the FAILED tasks of a job again (e.g. after a region came back)."""
    job, _tasks, counts = load(rt, caller, job_id)
    if not counts.get(states.FAILED):
        raise Conflict(f"job {job_id} has no FAILED tasks to retry")
    if job.kind not in SERVICE_KINDS:  # acts for its user: with the retrying caller's trust
        trust = delegation.grant(rt, caller)
        delegation.release(rt, "job", job_id)
        rt.store.set_trust(job_id, trust)
    ids = rt.store.retry_failed(job_id)
    if not ids:
        raise Conflict(f"job {job_id} has no FAILED tasks to retry")
    rt.dispatcher.dispatch(ids)
    return get(rt, caller, job_id)
