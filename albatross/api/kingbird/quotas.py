"""/v1.0/{project_id}/os-quota-sets and os-quota-class-sets: Kingbird's shapes over
Albatross's global quotas. Unlike Kingbird: JSON only, 403 for a foreign tenant in the URL,
classes really enforced, and a limit change rebalances the regions at once."""

from albatross.api import validation
from albatross.api import authz
from albatross.api.router import Route
from albatross.api.schemas.quotas import CLASS_NAME, LIMITS, PROJECT_ID
from albatross.quota.resources import RESOURCES
from albatross.services import quotas as quota_service

_QUOTA_SET = {"type": "object", "required": ["quota_set"],
              "properties": {"quota_set": {"type": "object"}}}
UPDATE = {"type": "object", "required": ["quota_set"], "additionalProperties": False,
          "properties": {"quota_set": {**LIMITS, "minProperties": 1}}}
CLASS_UPDATE = {"type": "object", "required": ["quota_class_set"],
                "additionalProperties": False,
                "properties": {"quota_class_set": {**LIMITS, "minProperties": 1}}}
DELETE_KEYS = {"type": "object", "required": ["quota_set"], "additionalProperties": False,
               "properties": {"quota_set": {"type": "array", "minItems": 1,
                                            "items": {"enum": sorted(RESOURCES)}}}}
_CLASS_SET = {"type": "object", "required": ["quota_class_set"],
              "properties": {"quota_class_set": {"type": "object"}}}


def show(req):
    view = quota_service.view(req.rt, req.caller, req.params["target_project"])
    return {"quota_set": {k: v["limit"] for k, v in view["resources"].items()}}


def defaults(req):
    return {"quota_set": quota_service.get_class(req.rt, "default")}


def detail(req):
    view = quota_service.view(req.rt, req.caller, req.params["target_project"])
    res = view["resources"]
    return {"quota_set": {"limits": {k: v["limit"] for k, v in res.items()},
                          "usage": {k: v["total_usage"] for k, v in res.items()}}}


def update(req):
    target, limits = req.params["target_project"], req.body["quota_set"]
    quota_service.set_project(req.rt, req.caller, target, limits=limits, soft={})
    return {target: limits}


def sync(req):
    target = req.params["target_project"]
    quota_service.request_rebalance(req.rt, req.caller, [target], origin="kingbird")
    return f"triggered quota sync for {target}"


def delete(req):
    target = req.params["target_project"]
    if req.webob.body:
        body = validation.load_json(req.webob.body)
        keys = validation.validate(DELETE_KEYS, body)["quota_set"]
        quota_service.delete_project(req.rt, req.caller, target, keys)
        return {"Deleted quota limits": keys}
    quota_service.delete_project(req.rt, req.caller, target)
    return "Deleted all quota limits for the given project"


def class_show(req):
    name = req.params["class_name"]
    return {"quota_class_set": {**quota_service.get_class(req.rt, name), "class_name": name}}


def class_update(req):
    name = req.params["class_name"]
    limits = quota_service.set_class(req.rt, name, req.body["quota_class_set"])
    return {"quota_class_set": {**limits, "class_name": name}}


def class_delete(req):
    quota_service.delete_class(req.rt, req.params["class_name"])
    return None


_BASE = "/v1.0/{project_id}/os-quota-sets"
_P = {"project_id": PROJECT_ID}
_PT = {**_P, "target_project": PROJECT_ID}
_PC = {**_P, "class_name": CLASS_NAME}
_KB = dict(tags=("kingbird",), own_project=True)

ROUTES = [
    Route("GET", _BASE + "/defaults", defaults, "Kingbird: default global limits",
          policy="albatross:quota_classes:get", response=_QUOTA_SET, path_params=_P, **_KB),
    Route("GET", _BASE + "/{target_project}", show, "Kingbird: a project's global limits",
          policy="albatross:quotas:get", response=_QUOTA_SET, path_params=_PT,
          target=authz.path("target_project"), **_KB),
    Route("GET", _BASE + "/{target_project}/detail", detail,
          "Kingbird: global limits and total usage", policy="albatross:quotas:get",
          response=_QUOTA_SET, path_params=_PT, target=authz.path("target_project"), **_KB),
    Route("PUT", _BASE + "/{target_project}", update, "Kingbird: set global limits",
          policy="albatross:quotas:update", body=UPDATE, response={"type": "object"},
          path_params=_PT, target=authz.path("target_project"), **_KB),
    Route("PUT", _BASE + "/{target_project}/sync", sync, "Kingbird: rebalance now",
          policy="albatross:quotas:sync", response={"type": "string"}, path_params=_PT,
          target=authz.path("target_project"), **_KB),
    Route("DELETE", _BASE + "/{target_project}", delete,
          "Kingbird: delete all limits, or those named in the body",
          policy="albatross:quotas:update", path_params=_PT,
          response={"type": ["object", "string"]}, target=authz.path("target_project"), **_KB),
    Route("GET", "/v1.0/{project_id}/os-quota-class-sets/{class_name}", class_show,
          "Kingbird: a quota class", policy="albatross:quota_classes:get",
          response=_CLASS_SET, path_params=_PC, **_KB),
    Route("PUT", "/v1.0/{project_id}/os-quota-class-sets/{class_name}", class_update,
          "Kingbird: set a quota class", policy="albatross:quota_classes:update",
          body=CLASS_UPDATE, response=_CLASS_SET, path_params=_PC, **_KB),
    Route("DELETE", "/v1.0/{project_id}/os-quota-class-sets/{class_name}", class_delete,
          "Kingbird: delete a quota class", policy="albatross:quota_classes:update",
          response={"type": "null"}, path_params=_PC, **_KB),
]
