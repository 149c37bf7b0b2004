from albatross.api import authz
from albatross.api.router import Route
from albatross.api.schemas.common import JOB_ENVELOPE
from albatross.api.schemas.quotas import (CLASS_NAME, CLASS_REQUEST, CLASS_VIEW, EVENTS,
                                          PROJECT_ID, SET_REQUEST, VIEW)
from albatross.quota.resources import RESOURCES
from albatross.services import quotas as quota_service

ALL = quota_service.ALL


def show(req):
    return {"quota": quota_service.view(req.rt, req.caller, req.params["project_id"])}


def update(req):
    b = req.body
    job = quota_service.set_project(req.rt, req.caller, req.params["project_id"],
                                    limits=b.get("limits", {}), soft=b.get("soft", {}),
                                    quota_class=b.get("quota_class", ALL))
    return 202, {"job": job}


def delete(req):
    resources = req.webob.GET.getall("resource") or None
    quota_service.delete_project(req.rt, req.caller, req.params["project_id"], resources)
    return 204, None


def sync(req):
    return 202, {"job": quota_service.request_rebalance(req.rt, req.caller,
                                                        [req.params["project_id"]])}


def events(req):
    return {"events": quota_service.events(req.rt, req.caller, req.params["project_id"],
                                           req.query["limit"])}


def show_class(req):
    name = req.params["class_name"]
    return {"quota_class": {"name": name, "limits": quota_service.get_class(req.rt, name)}}


def update_class(req):
    name = req.params["class_name"]
    limits = quota_service.set_class(req.rt, name, req.body["limits"])
    return {"quota_class": {"name": name, "limits": limits}}


def delete_class(req):
    quota_service.delete_class(req.rt, req.params["class_name"])
    return 204, None


_PROJECT = {"project_id": PROJECT_ID}
_CLASS = {"class_name": CLASS_NAME}
_Q = "/v1/projects/{project_id}/quotas"
_TAGS = ("quotas",)

ROUTES = [
    Route("GET", _Q, show, "Global view: limits, usage per region, totals, regional limits",
          policy="albatross:quotas:get", response=VIEW, tags=_TAGS, path_params=_PROJECT,
          target=authz.path("project_id")),
    Route("PUT", _Q, update, "Set global limits, soft limits or the class; rebalances",
          policy="albatross:quotas:update", body=SET_REQUEST, response=JOB_ENVELOPE,
          status=202, tags=_TAGS, path_params=_PROJECT, target=authz.path("project_id")),
    Route("DELETE", _Q, delete, "Drop the project's own limits (all, or ?resource=...)",
          policy="albatross:quotas:update", status=204, tags=_TAGS, path_params=_PROJECT,
          target=authz.path("project_id"),
          query={"resource": {"type": "string", "enum": sorted(RESOURCES)}}),
    Route("POST", _Q + "/sync", sync, "Rebalance the project's regional limits now",
          policy="albatross:quotas:sync", response=JOB_ENVELOPE, status=202, tags=_TAGS,
          path_params=_PROJECT, target=authz.path("project_id")),
    Route("GET", "/v1/projects/{project_id}/quota-events", events,
          "Soft limits crossed or cleared, regions a rebalance could not reach",
          policy="albatross:quotas:get", response=EVENTS, tags=_TAGS, path_params=_PROJECT,
          target=authz.path("project_id"),
          query={"limit": {"type": "integer", "minimum": 1, "maximum": 1000,
                           "default": 100}}),
    Route("GET", "/v1/quota-classes/{class_name}", show_class,
          "A quota class's limits (over the `default` class and built-in defaults)",
          policy="albatross:quota_classes:get", response=CLASS_VIEW, tags=_TAGS,
          path_params=_CLASS),
    Route("PUT", "/v1/quota-classes/{class_name}", update_class, "Set a quota class's limits",
          policy="albatross:quota_classes:update", body=CLASS_REQUEST, response=CLASS_VIEW,
          tags=_TAGS, path_params=_CLASS),
    Route("DELETE", "/v1/quota-classes/{class_name}", delete_class, "Delete a quota class",
          policy="albatross:quota_classes:update", status=204, tags=_TAGS,
          path_params=_CLASS),
]
