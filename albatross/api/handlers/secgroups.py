from albatross.api import authz
from albatross.api.router import Route
from albatross.api.schemas.common import JOB_ENVELOPE
from albatross.api.schemas.secgroups import SYNC_REQUEST
from albatross.exceptions import BadRequest
from albatross.secgroups.select import Selector
from albatross.services import secgroups as secgroup_service


def sync_security_groups(req):
    b = req.body
    project = b.get("project_id") or req.caller.project_id
    if not (b.get("all") or b.get("security_groups") or b.get("tags")):
        raise BadRequest("name the groups to copy: security_groups, tags or all",
                         field="security_groups")
    selector = Selector(bool(b.get("all")), tuple(b.get("security_groups") or ()),
                        tuple(b.get("tags") or ()))
    job = secgroup_service.request_sync(req.rt, req.caller, secgroup_service.SyncRequest(
        b["source_region"], b["target_regions"], selector, project))
    return 202, {"job": job}


ROUTES = [
    Route("POST", "/v1/security-groups/sync", sync_security_groups,
          "Copy security groups with their rules (and the groups and address groups they "
          "reference) to target regions (a job)",
          policy="albatross:security_groups:sync", body=SYNC_REQUEST, response=JOB_ENVELOPE,
          status=202, tags=("security-groups",), target=authz.body("project_id")),
]
