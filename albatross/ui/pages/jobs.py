"""Jobs: the list (filters, pages) and one job with its per-region tasks, live until it ends,
with progress in bytes for image copies, and retry of failed tasks."""
from albatross.ui.app import PREFIX, get, post
from albatross.ui.backend import ApiError, query_string

FINAL = ("SUCCESS", "FAILED")


def task_progress(task: dict) -> dict | None:
    """Bytes copied so far of an image task (result.bytes_done of bytes_total)."""
    result = task.get("result") or {}
    total = result.get("bytes_total") or result.get("bytes")
    if not total:
        return None
    done = result.get("bytes_done", total if task["status"] == "SUCCESS" else 0) or 0
    return {"done": done, "total": total, "ratio": min(done / total, 1.0)}


def list_jobs(page):
    size = page.ui.conf.ui.page_size
    filters = {"kind": page.arg("kind"), "active": page.arg("active") == "1" or None,
               "all_projects": (page.arg("all_projects") == "1" and page.is_admin) or None}
    marker = page.arg("marker")
    jobs = page.api.get("/v1/jobs", limit=size + 1, marker=marker or None,
                        **{k: v for k, v in filters.items() if v})["jobs"]
    # links carry the filters as the form sends them ("1"), not as the API takes them (True)
    link = {k: ("1" if v is True else v) for k, v in filters.items()}
    next_url = None
    if len(jobs) > size:
        jobs = jobs[:size]
        next_url = PREFIX + "/jobs" + query_string({**link, "marker": jobs[-1]["id"]})
    first_url = (PREFIX + "/jobs" + query_string(link)) if marker else None
    return page.render("jobs.html", partial="_jobs_live.html", active="Jobs", jobs=jobs,
                       filters=filters, next_url=next_url, first_url=first_url,
                       self_url=PREFIX + "/jobs" + query_string({**link, "marker": marker}))


def show_job(page):
    job = page.api.get(f"/v1/jobs/{page.params['job_id']}")["job"]
    for task in job.get("tasks", []):
        task["progress"] = task_progress(task)
    return page.render("job.html", partial="_job_live.html", active="Jobs", job=job,
                       final=job["status"] in FINAL)


def retry_job(page):
    job_id = page.params["job_id"]
    try:
        page.api.post(f"/v1/jobs/{job_id}/retry")
    except ApiError as exc:
        if exc.status in (400, 409):
            return page.failed(f"{PREFIX}/jobs/{job_id}", exc)
        raise
    return page.done(f"{PREFIX}/jobs/{job_id}", "The failed tasks run again.")


ROUTES = [
    get(PREFIX + "/jobs", list_jobs),
    get(PREFIX + "/jobs/{job_id}", show_job),
    post(PREFIX + "/jobs/{job_id}/retry", retry_job),
]
