import ipaddress

from albatross.api import authz
from albatross.api.router import RawBody, Route
from albatross.api.schemas import addresses as schemas
from albatross.api.schemas.quotas import PROJECT_ID
from albatross.exceptions import BadRequest
from albatross.services import addresses as address_service


def _project(req) -> str:
    return req.params["project_id"]


def list_addresses(req):
    q = req.query
    table = address_service.addresses(req.rt, _project(req), q, q["max_age"])
    if q["format"] == "csv":
        return 200, RawBody("text/csv", address_service.as_csv(table))
    return {"addresses": table}


def find(req):
    ip, mac = req.query.get("ip"), req.query.get("mac")
    if bool(ip) == bool(mac):
        raise BadRequest("give exactly one of ip or mac", field="ip")
    if ip:
        try:
            ipaddress.ip_address(ip)
        except ValueError:
            raise BadRequest(f"{ip!r} is not an IPv4 or IPv6 address", field="ip")
    return {"addresses": address_service.find(req.rt, _project(req), ip=ip, mac=mac,
                                              max_age=req.query["max_age"])}


def conflicts(req):
    return {"conflicts": address_service.project_conflicts(req.rt, _project(req),
                                                           req.query["max_age"])}


def summary(req):
    return {"subnets": address_service.summary(req.rt, _project(req), req.query["max_age"])}


def refresh(req):
    return {"regions": address_service.refresh_on_request(req.rt, _project(req))}


def get_plan(req):
    return address_service.get_plan(req.rt, _project(req))


def put_plan(req):
    return address_service.set_plan(req.rt, _project(req), req.body["supernets"],
                                    req.body.get("groups", {}))


def allocate(req):
    b = req.body
    return 201, address_service.allocate(
        req.rt, req.caller, _project(req), region=b["region"], network_id=b["network_id"],
        prefixlen=b["prefix_length"], ip_version=b.get("ip_version", 4), name=b.get("name"))


def external(req):
    return address_service.external(req.rt)


_P = {"project_id": PROJECT_ID}
_A = "/v1/projects/{project_id}/addresses"
_TAGS = ("addresses",)
_AGE = {"max_age": schemas.MAX_AGE}


def _get(path, handler, summary_text, response, query=None):
    return Route("GET", path, handler, summary_text, policy="albatross:addresses:get",
                 response=response, tags=_TAGS, path_params=_P, target=authz.path("project_id"),
                 query=query or _AGE)


ROUTES = [
    _get(_A, list_addresses, "Every address of the project in every region (filters; "
         "format=csv exports)", schemas.ADDRESS_LIST, schemas.LIST_QUERY),
    _get(_A + "/find", find, "Who uses this IP or MAC: region, network, port, device",
         schemas.ADDRESS_LIST, schemas.FIND_QUERY),
    _get(_A + "/conflicts", conflicts, "Overlapping subnets, duplicate fixed IPs, MACs and "
         "external IPs across regions, both sides named", schemas.CONFLICT_LIST),
    _get(_A + "/summary", summary, "Used and free addresses per subnet and region",
         schemas.SUMMARY),
    Route("POST", _A + "/refresh", refresh, "Read the project's addresses from every region "
          "now", policy="albatross:addresses:get", response=schemas.REFRESH, tags=_TAGS,
          path_params=_P, target=authz.path("project_id")),
    _get("/v1/projects/{project_id}/address-plan", get_plan, "The project's address plan",
         schemas.PLAN_VIEW, {}),
    Route("PUT", "/v1/projects/{project_id}/address-plan", put_plan,
          "Set the address plan (supernets) and connectivity groups",
          policy="albatross:addresses:plan", body=schemas.PLAN, response=schemas.PLAN_VIEW,
          tags=_TAGS, path_params=_P, target=authz.path("project_id")),
    Route("POST", "/v1/projects/{project_id}/subnets", allocate,
          "Create a subnet with the next free CIDR of the plan that overlaps nothing in any "
          "region of the network's connectivity group", policy="albatross:addresses:allocate",
          body=schemas.ALLOCATE, response=schemas.ALLOCATION, status=201, tags=_TAGS,
          path_params=_P, target=authz.path("project_id")),
    Route("GET", "/v1/addresses/external", external,
          "Admin: floating and router gateway addresses of every project, and duplicates",
          policy="albatross:addresses:external", response=schemas.EXTERNAL, tags=_TAGS),
]
