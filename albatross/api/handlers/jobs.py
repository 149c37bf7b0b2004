from albatross.api import authz
from albatross.api.router import Route
from albatross.api.schemas.common import JOB_ENVELOPE, UUID
from albatross.api.schemas.jobs import GET_QUERY, JOB_LIST, LIST_QUERY
from albatross.services import jobs as job_service


def list_jobs(req):
    q = req.query
    return {"jobs": job_service.list_jobs(req.rt, req.caller, all_projects=q["all_projects"],
                                          kind=q.get("kind"), active_only=q["active"],
                                          limit=q["limit"], marker=q.get("marker"))}


def get_job(req):
    q = req.query
    return {"job": job_service.get(req.rt, req.caller, req.params["job_id"],
                                   tasks_limit=q["tasks_limit"],
                                   tasks_marker=q.get("tasks_marker"))}


def delete_job(req):
    job_service.delete(req.rt, req.caller, req.params["job_id"])
    return 204, None


# a retry runs the job's kind of work again: the caller must be allowed that work too
RETRY_RULES = {"keypair_sync": "albatross:keypairs:sync",
               "security_group_sync": "albatross:security_groups:sync",
               "image_sync": "albatross:images:sync", "flavor_sync": "albatross:flavors:sync",
               "quota_rebalance": "albatross:quotas:sync",
               "policy_audit": "albatross:sync_policies:audit",
               "image_rollout_wave": "albatross:image_rollouts:approve",
               "image_rollback": "albatross:image_rollouts:rollback"}


def retry_job(req):
    job = job_service.get(req.rt, req.caller, req.params["job_id"])  # 404 before 403
    req.authorize_related(job["kind"], job["project_id"])
    return 202, {"job": job_service.retry(req.rt, req.caller, req.params["job_id"])}


_JOB_ID = {"job_id": {**UUID, "description": "The job's id."}}

ROUTES = [
    Route("GET", "/v1/jobs", list_jobs, "The project's jobs, newest first",
          policy="albatross:jobs:list", query=LIST_QUERY, response=JOB_LIST, tags=("jobs",),
          requires=(authz.When("albatross:jobs:list:all_projects", authz.flag("all_projects"),
                               "all_projects=true"),)),
    Route("GET", "/v1/jobs/{job_id}", get_job, "A job with its per-region tasks (a page)",
          policy="albatross:jobs:get", query=GET_QUERY, response=JOB_ENVELOPE,
          tags=("jobs",), path_params=_JOB_ID),
    Route("DELETE", "/v1/jobs/{job_id}", delete_job,
          "Forget a finished job (what it created stays)", policy="albatross:jobs:delete",
          status=204, tags=("jobs",), path_params=_JOB_ID),
    Route("POST", "/v1/jobs/{job_id}/retry", retry_job, "Run the job's FAILED tasks again",
          policy="albatross:jobs:retry", status=202, response=JOB_ENVELOPE, tags=("jobs",),
          path_params=_JOB_ID, related=RETRY_RULES),
]
