from albatross.api import authz
from albatross.api.router import Route
from albatross.api.schemas.common import UUID
from albatross.api.schemas.image_modes import IMAGE_SETTING, PROJECT_SETTING, SET_REQUEST
from albatross.api.schemas.quotas import PROJECT_ID
from albatross.services import image_modes


def show_project(req):
    return {"image_sync": image_modes.get_project(req.rt, req.params["project_id"])}


def set_project(req):
    return {"image_sync": image_modes.put_project(req.rt, req.caller, req.params["project_id"],
                                                      req.body)}


def delete_project(req):
    image_modes.delete_project(req.rt, req.params["project_id"])
    return 204, None


def show_image(req):
    return {"sync_mode": image_modes.get_image(req.rt, req.caller, req.params["image_id"])}


def set_image(req):
    return {"sync_mode": image_modes.put_image(req.rt, req.caller, req.params["image_id"],
                                               req.body)}


def delete_image(req):
    image_modes.delete_image(req.rt, req.caller, req.params["image_id"])
    return 204, None


_P = "/v1/projects/{project_id}/image-sync"
_I = "/v1/images/{image_id}/sync-mode"
_PROJECT = {"project_id": PROJECT_ID}
_IMAGE = {"image_id": UUID}
_TAGS = ("images",)

ROUTES = [
    Route("GET", _P, show_project, "The project's image sync default (none when unset) and "
          "what the auto poller last did", policy="albatross:image_modes:get",
          response=PROJECT_SETTING, tags=_TAGS, path_params=_PROJECT,
          target=authz.path("project_id")),
    Route("PUT", _P, set_project, "Set the project's default mode: none, auto (source, "
          "targets, deletes) or lazy (source)", policy="albatross:image_modes:update",
          body=SET_REQUEST, response=PROJECT_SETTING, tags=_TAGS, path_params=_PROJECT,
          target=authz.path("project_id")),
    Route("DELETE", _P, delete_project, "Remove the project default (back to none)",
          policy="albatross:image_modes:update", status=204, tags=_TAGS,
          path_params=_PROJECT, target=authz.path("project_id")),
    Route("GET", _I, show_image, "The image's effective mode for your project, and where it "
          "comes from", policy="albatross:image_modes:get", response=IMAGE_SETTING,
          tags=_TAGS, path_params=_IMAGE),
    Route("PUT", _I, set_image, "Override the project default for one image you can see "
          "(auto: only your project's own images)", policy="albatross:image_modes:update",
          body=SET_REQUEST, response=IMAGE_SETTING, tags=_TAGS, path_params=_IMAGE),
    Route("DELETE", _I, delete_image, "Remove the image's own mode (back to the default)",
          policy="albatross:image_modes:update", status=204, tags=_TAGS, path_params=_IMAGE),
]
