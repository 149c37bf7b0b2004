from albatross.api import authz
from albatross.api.router import Route
from albatross.api.schemas.common import JOB_ENVELOPE, PAGE_QUERY, UUID
from albatross.api.schemas.sync_policies import (CREATE, DRIFT_LIST, DRIFT_QUERY,
                                                 POLICY_ENVELOPE, POLICY_LIST)
from albatross.services import sync_policies as policy_service


def create(req):
    return 201, {"policy": policy_service.create(req.rt, req.caller, req.body)}


def list_policies(req):
    return {"policies": policy_service.list_policies(req.rt, req.caller, req.query["limit"],
                                                     req.query.get("marker"))}


def show(req):
    return {"policy": policy_service.get(req.rt, req.caller, req.params["policy_id"])}


def delete(req):
    policy_service.delete(req.rt, req.caller, req.params["policy_id"])
    return 204, None


def audit(req):
    return 202, {"job": policy_service.audit(req.rt, req.caller, req.params["policy_id"])}


def drift(req):
    q = dict(req.query)
    return {"drift": policy_service.drift(req.rt, req.caller, **q)}


_ID = {"policy_id": UUID}
_TAGS = ("sync-policies",)

ROUTES = [
    Route("POST", "/v1/sync-policies", create,
          "Keep keypairs or security groups in step from one region to others",
          policy="albatross:sync_policies:create", body=CREATE, response=POLICY_ENVELOPE,
          status=201, tags=_TAGS),
    Route("GET", "/v1/sync-policies", list_policies, "The project's sync policies, oldest "
          "first", policy="albatross:sync_policies:list", query=PAGE_QUERY,
          response=POLICY_LIST, tags=_TAGS),
    Route("GET", "/v1/sync-policies/{policy_id}", show, "A sync policy",
          policy="albatross:sync_policies:get", response=POLICY_ENVELOPE, tags=_TAGS,
          path_params=_ID),
    Route("DELETE", "/v1/sync-policies/{policy_id}", delete,
          "Delete a sync policy (the copies stay)", policy="albatross:sync_policies:delete",
          status=204, tags=_TAGS, path_params=_ID),
    Route("POST", "/v1/sync-policies/{policy_id}/audit", audit,
          "Audit the policy now: report drift per region and repair it (a job)",
          policy="albatross:sync_policies:audit", response=JOB_ENVELOPE, status=202,
          tags=_TAGS, path_params=_ID),
    Route("GET", "/v1/drift", drift, "Drift found by audits, newest first",
          policy="albatross:drift:list", query=DRIFT_QUERY, response=DRIFT_LIST,
          tags=("sync-policies",),
          requires=(authz.When("albatross:drift:list:all_projects", authz.flag("all_projects"),
                               "all_projects=true"),)),
]
