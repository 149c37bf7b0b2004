from albatross.api.router import Route
from albatross.api.schemas.regions import REGION_LIST
from albatross.services import regions as region_service


def list_regions(req):
    return {"regions": region_service.list_regions(req.rt, with_health=req.query["health"])}


ROUTES = [
    Route("GET", "/v1/regions", list_regions, "Managed regions and the health of each endpoint",
          policy="albatross:regions:list", tags=("regions",), response=REGION_LIST,
          query={"health": {"type": "boolean", "default": True}}),
]
