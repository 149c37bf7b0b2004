from albatross.api.policies.rollouts import ACTIONS
from albatross.api.router import Route
from albatross.api.schemas.common import PAGE_QUERY, UUID
from albatross.api.schemas.rollouts import CREATE, ROLLOUT_ENVELOPE, ROLLOUT_LIST
from albatross.services import rollouts as rollout_service


def start(req):
    return 201, {"rollout": rollout_service.start(req.rt, req.caller, req.body)}


def list_rollouts(req):
    return {"rollouts": rollout_service.list_rollouts(req.rt, req.caller, req.query["limit"],
                                                      req.query.get("marker"))}


def show(req):
    return {"rollout": rollout_service.get(req.rt, req.caller, req.params["rollout_id"])}


def _action(action):
    def handler(req):
        return 202, {"rollout": rollout_service.act(req.rt, req.caller,
                                                    req.params["rollout_id"], action)}
    return handler


_ID = {"rollout_id": UUID}
_TAGS = ("images",)

ROUTES = [
    Route("POST", "/v1/image-rollouts", start,
          "Controlled mode: roll a new image version out in waves (canary first), each "
          "verified and approved before the next", policy="albatross:image_rollouts:create",
          body=CREATE, response=ROLLOUT_ENVELOPE, status=201, tags=_TAGS),
    Route("GET", "/v1/image-rollouts", list_rollouts, "The project's image rollouts, newest "
          "first", policy="albatross:image_rollouts:list", query=PAGE_QUERY,
          response=ROLLOUT_LIST, tags=_TAGS),
    Route("GET", "/v1/image-rollouts/{rollout_id}", show,
          "A rollout: state, waves with their jobs, history", policy=
          "albatross:image_rollouts:get", response=ROLLOUT_ENVELOPE,
          tags=_TAGS, path_params=_ID),
] + [Route("POST", f"/v1/image-rollouts/{{rollout_id}}/{action}", _action(action), text,
           policy=f"albatross:image_rollouts:{action}", response=ROLLOUT_ENVELOPE, status=202,
           tags=_TAGS, path_params=_ID) for action, text in ACTIONS.items()]
