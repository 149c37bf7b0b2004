"""Making a job: its rows in one transaction, then the hint to the workers. The one place
the sequence is written for work the service starts on its own (controllers)."""
from albatross.db.jobs import JobStore, TaskSpec


def submit(store: JobStore, dispatch, *, kind: str, project_id: str, user_id: str,
           params: dict, tasks: list[dict], origin: str, request_id: str | None = None,
           unless_active: bool = False) -> str | None:
    """The new job's id; None when `unless_active` and a job of this kind and origin has
    unfinished tasks (the last one still runs: work never piles up)."""
    if unless_active and any(j.origin == origin for j, _ in store.list_jobs(
            project_id=None, kind=kind, active_only=True, limit=1000)):
        return None
    job_id, task_ids = store.create_job(
        project_id=project_id, user_id=user_id, kind=kind, origin=origin, params=params,
        request_id=request_id, tasks=[TaskSpec(**t) for t in tasks])
    dispatch(task_ids)
    return job_id
