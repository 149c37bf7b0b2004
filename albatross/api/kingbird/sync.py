"""/v1.0/{project_id}/os-sync: Kingbird's shapes, Albatross's jobs."""
from albatross.api import authz
from albatross.api.kingbird.schemas import JOB_SET, JOB_STATUS, SYNC_REQUEST
from albatross.api.router import Route
from albatross.api.schemas.common import UUID
from albatross.exceptions import BadRequest, NotAcceptable
from albatross.db import job_states as states
from albatross.services import flavors as flavor_service
from albatross.services import images as image_service
from albatross.services import jobs as job_service
from albatross.services import keypairs as keypair_service

_KINGBIRD_STATUS = {states.QUEUED: "IN_PROGRESS", states.RUNNING: "IN_PROGRESS",
                    states.SUCCESS: "SUCCESS", states.SKIPPED: "SUCCESS",
                    states.FAILED: "FAILURE"}


def _kb_time(iso: str | None) -> str:
    """Kingbird printed str(datetime): '2018-01-25 10:00:00.123000'."""
    if not iso:
        return "None"
    return iso.rstrip("Z").replace("T", " ") + "000"


def _force(value) -> bool:
    return value if isinstance(value, bool) else value.lower() == "true"


def _entries(resource_set: dict) -> list[dict]:
    return resource_set["Sync"] if "Sync" in resource_set else [resource_set]


def _source(entry: dict) -> str:
    return entry["source"] if isinstance(entry["source"], str) else entry["source"][0]


_SERVICES = {"keypair": keypair_service, "flavor": flavor_service, "image": None}


def _only(kind: str):
    """A template of `kind` entries only (a mixed one is refused by create())."""
    def applies(req) -> bool:
        entries = _entries(req.body["resource_set"])
        return {e["resource_type"] for e in entries} == {kind}
    return applies


def _image_job(req, entries: list[dict]) -> dict:
    """Kingbird's image sync: ids, the same id in the targets (Albatross keeps the source id
    whenever the target's Glance allows it)."""
    if len(entries) > 1:
        raise BadRequest("send one image entry per request (list several ids in resources)",
                         field="resource_set")
    [e] = entries
    return image_service.request_sync(req.rt, req.caller, image_service.SyncRequest(
        _source(e), e["target"], e["resources"], _force(e.get("force", False))),
        origin="kingbird")


def create(req):
    entries = _entries(req.body["resource_set"])
    kinds = {e["resource_type"] for e in entries}
    if len(kinds) > 1:  # each kind is its own job here; Kingbird answered with one
        raise BadRequest("a template may not mix resource types yet; send one request per "
                         "resource_type", field="resource_type")
    [kind] = kinds
    if kind == "image":
        job = _image_job(req, entries)
    else:
        service = _SERVICES[kind]
        syncs = [service.SyncRequest(_source(e), e["target"], e["resources"],
                                     _force(e.get("force", False))) for e in entries]
        job = service.request_sync(req.rt, req.caller, syncs, origin="kingbird")
    return {"job_status": {"id": job["id"], "status": "IN_PROGRESS",
                           "created_at": _kb_time(job["created_at"])}}


def _job_rows(req, active_only: bool):
    jobs = job_service.list_jobs(req.rt, req.caller, active_only=active_only, limit=1000,
                                 user_only=True)
    return {"job_set": [{"id": j["id"], "sync_status": _KINGBIRD_STATUS[j["status"]],
                         "created_at": _kb_time(j["created_at"]),
                         "updated_at": _kb_time(j["updated_at"])} for j in jobs]}


def list_jobs(req):
    return _job_rows(req, active_only=False)


def list_active(req):
    return _job_rows(req, active_only=True)


def show(req):
    job = job_service.get(req.rt, req.caller, req.params["job_id"])
    return {"job_set": [{"id": t["id"], "resource": t["resource"],
                         "source_region": t["source_region"],
                         "target_region": t["target_region"],
                         "resource_type": t["resource_type"],
                         "sync_status": _KINGBIRD_STATUS[t["status"]],
                         "created_at": _kb_time(t["created_at"]),
                         "updated_at": _kb_time(t["finished_at"] or t["started_at"])}
                        for t in job["tasks"]]}


def delete(req):
    job_id = req.params["job_id"]
    job_service.delete(req.rt, req.caller, job_id, conflict_error=NotAcceptable)
    return f"job {job_id} deleted from the database."


_BASE = "/v1.0/{project_id}/os-sync"
_PROJECT = {"project_id": {"type": "string", "description": "Must be the token's project."}}
_JOB = {**_PROJECT, "job_id": UUID}
_TAGS = ("kingbird",)

ROUTES = [
    # the route's own rule is the keypair one, open to members: flavor and image templates
    # need their own rules as well
    Route("POST", _BASE, create, "Kingbird: start a sync job", policy="albatross:keypairs:sync",
          body=SYNC_REQUEST, response=JOB_STATUS, tags=_TAGS, path_params=_PROJECT,
          own_project=True,
          requires=(authz.When("albatross:flavors:sync", _only("flavor"), "flavor entries"),
                    authz.When("albatross:images:sync", _only("image"), "image entries"))),
    Route("GET", _BASE, list_jobs, "Kingbird: the caller's sync jobs",
          policy="albatross:jobs:list", response=JOB_SET, tags=_TAGS, path_params=_PROJECT,
          own_project=True),
    Route("GET", _BASE + "/active", list_active, "Kingbird: the caller's unfinished jobs",
          policy="albatross:jobs:list", response=JOB_SET, tags=_TAGS, path_params=_PROJECT,
          own_project=True),
    Route("GET", _BASE + "/{job_id}", show, "Kingbird: a job's per-region rows",
          policy="albatross:jobs:get", response=JOB_SET, tags=_TAGS, path_params=_JOB,
          own_project=True),
    Route("DELETE", _BASE + "/{job_id}", delete, "Kingbird: forget a finished job",
          policy="albatross:jobs:delete", response={"type": "string"}, tags=_TAGS,
          path_params=_JOB, own_project=True),
]
