from albatross.api.router import Route

VERSION = {"id": "v1", "status": "CURRENT", "links": [{"rel": "self", "href": "/v1"}]}
KINGBIRD = {"id": "v1.0", "status": "SUPPORTED",
            "links": [{"rel": "self", "href": "/v1.0"}],
            "description": "Kingbird-compatible os-sync API"}
_VERSION_SCHEMA = {"type": "object", "required": ["id", "status"],
                   "properties": {"id": {"type": "string"}, "status": {"type": "string"}}}


def versions(req):
    return {"versions": [VERSION, KINGBIRD]}


def version_v1(req):
    return {"version": VERSION}


ROUTES = [
    Route("GET", "/", versions, "API versions", public=True, tags=("versions",),
          response={"type": "object", "required": ["versions"],
                    "properties": {"versions": {"type": "array", "items": _VERSION_SCHEMA}}}),
    Route("GET", "/v1", version_v1, "The v1 API", public=True, tags=("versions",),
          response={"type": "object", "required": ["version"],
                    "properties": {"version": _VERSION_SCHEMA}}),
]
