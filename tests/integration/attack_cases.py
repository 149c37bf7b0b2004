"""What an attacker sends to each API route, and what must come back (test_attack_matrix.py).

Every route of the OpenAPI document has an entry here; a new route without one fails the
suite. Personas: `anonymous` (no token), `revoked` (a token Keystone revoked, as an expired one
is), `reader` (reader role on project A), `other` (member of project B). Path parameters are
always A's objects; `other` also names A's objects in bodies where the route takes them."""

# routes that answer everyone by design (no tenant data): versions and the OpenAPI document
PUBLIC = {("GET", "/"), ("GET", "/v1"), ("GET", "/v1/openapi.json")}

# writes a reader may make: they only read (a refresh re-reads the reader's own project)
READER_MAY = {("POST", "/v1/projects/{project_id}/addresses/refresh")}

# routes B reaches only for B's own project (lists, streams), or for data that is no
# project's (the region catalog, quota class defaults): 200, and none of A's ids in it
OWN_LISTS = {
    ("GET", "/v1/regions"), ("GET", "/v1/jobs"), ("GET", "/v1/sync-policies"),
    ("GET", "/v1/drift"), ("GET", "/v1/image-rollouts"), ("GET", "/v1/events"),
    ("GET", "/v1/images"), ("GET", "/v1/indicators"), ("GET", "/v1/events/stream"),
    ("GET", "/v1/quota-classes/{class_name}"),
}

# routes that create in the caller's own project only (no field names another project's
# objects): B's request is sent naming A's objects where a field takes them, and must not
# touch A (it may succeed in B: 2xx allowed)
OWN_WRITES = {("POST", "/v1/sync-policies")}


# admin-only routes that name no project: B (and the reader) get 403
ADMIN_ONLY = {("GET", "/v1/addresses/external"), ("GET", "/v1/logs"),
              ("GET", "/v1/logs/stream"), ("GET", "/v1/indicators/summary"),
              ("GET", "/metrics"), ("GET", "/v1/work-items")}


def unclassified(routes) -> list[str]:
    """Routes no case covers: without A's objects in the path, a route must be listed above
    or take a body naming A's objects (other_body)."""
    a = {"regions": ["R1", "R2"], "keypair": "k", "user_id": "u", "project_id": "p",
         "image_id": "i", "network_id": "n"}
    known = PUBLIC | OWN_LISTS | OWN_WRITES | ADMIN_ONLY
    return [f"{r.method} {r.path}" for r in routes if "{" not in r.path
            and (r.method, r.path) not in known and (r.method, r.path) not in _BODY_ROUTES
            and other_body(r.method, r.path, a) is None]


_BODY_ROUTES = {("POST", "/v1/logs")}  # NDJSON, sent by the test itself


def other_body(method: str, path: str, a: dict) -> dict | None:
    """The body `other` sends: A's objects named wherever the route takes a name or an id."""
    r0, r1 = a["regions"][0], a["regions"][1]
    bodies = {
        ("POST", "/v1/keypairs/sync"): {"source_region": r0, "target_regions": [r1],
                                        "keypairs": [a["keypair"]], "user_id": a["user_id"]},
        ("POST", "/v1/flavors/sync"): {"source_region": r0, "target_regions": [r1],
                                       "flavors": ["m1.tiny"]},
        ("POST", "/v1/security-groups/sync"): {"source_region": r0, "target_regions": [r1],
                                               "security_groups": ["default"],
                                               "project_id": a["project_id"]},
        ("POST", "/v1/sync-policies"): {"name": "steal", "resource_type": "keypair",
                                        "source_region": r0, "target_regions": [r1],
                                        "names": [a["keypair"]], "enabled": False},
        ("POST", "/v1/images/sync"): {"source_region": r0, "target_regions": [r1],
                                      "images": [a["image_id"]]},
        ("POST", "/v1/images/{image_id}/ensure"): {"region": r1},
        ("PUT", "/v1/projects/{project_id}/image-sync"): {"mode": "none"},
        ("PUT", "/v1/images/{image_id}/sync-mode"): {"mode": "none"},
        ("POST", "/v1/image-rollouts"): {"image_id": a["image_id"], "source_region": r0,
                                         "waves": [[r1]]},
        ("PUT", "/v1/projects/{project_id}/address-plan"): {"supernets": ["203.0.113.0/24"]},
        ("POST", "/v1/projects/{project_id}/subnets"): {"region": r0,
                                                       "network_id": a["network_id"],
                                                       "prefix_length": 28},
        ("PUT", "/v1/projects/{project_id}/quotas"): {"limits": {"cores": 1}},
        ("PUT", "/v1/quota-classes/{class_name}"): {"limits": {"cores": 1}},
        ("POST", "/v1.0/{project_id}/os-sync"): {"resource_set": {
            "resource_type": "keypair", "resources": [a["keypair"]], "source": r0,
            "target": [r1], "force": "True"}},
        ("PUT", "/v1.0/{project_id}/os-quota-sets/{target_project}"): {
            "quota_set": {"cores": 1}},
        ("PUT", "/v1.0/{project_id}/os-quota-class-sets/{class_name}"): {
            "quota_class_set": {"cores": 1}},
        ("POST", "/v1/logs"): None,  # sent as NDJSON below
    }
    return bodies.get((method, path))


def fill(path: str, a: dict) -> str:
    """The route's path with A's objects in it; KeyError names a parameter with no case."""
    values = {"project_id": a["project_id"], "target_project": a["project_id"],
              "job_id": a["job_id"], "policy_id": a["policy_id"],
              "rollout_id": a["rollout_id"], "image_id": a["image_id"],
              "class_name": "default"}
    out = path
    for name, value in values.items():
        out = out.replace("{" + name + "}", value)
    if "{" in out:
        raise KeyError(f"{path}: no case for its parameter {out[out.index('{'):]}")
    return out
