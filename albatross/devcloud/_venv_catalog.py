"""Keystone content of the dev cloud, and the nova-compute readiness check.

Runs with the DEV CLOUD venv's python (openstacksdk), not Albatross's: do not import
albatross here. Input: one JSON object on stdin.

  catalog        {"regions": [...], "unused_regions": [...], "ports": {region: {service: port}},
                  "albatross_url": "...", "password": "...", "auth_url": "..."}
  wait-compute   {"region": "RegionOne", "since": epoch, "timeout": 180, "password", "auth_url"}
"""
import datetime
import json
import sys
import time

import openstack

SERVICES = [  # name, type, port key, url suffix
    ("glance", "image", "glance", ""),
    ("neutron", "network", "neutron", ""),
    ("nova", "compute", "nova", "/v2.1"),
    ("cinder", "block-storage", "cinder", "/v3/%(project_id)s"),
    ("cinderv3", "volumev3", "cinder", "/v3/%(project_id)s"),
    ("placement", "placement", "placement", ""),
]
SERVICE_USERS = ["glance", "neutron", "nova", "cinder", "placement", "albatross"]
# user -> (project, roles)
TEST_USERS = {"demo": ("demo", ["member"]), "demo-reader": ("demo", ["reader"]),
              "alt": ("alt", ["member"])}


def connect(req, region="RegionOne"):
    return openstack.connect(auth_url=req["auth_url"], username="admin", password=req["password"],
                             project_name="admin", user_domain_name="Default",
                             project_domain_name="Default", region_name=region)


def catalog(req):
    conn = connect(req)
    idc = conn.identity
    for r in req["regions"]:
        if not idc.find_region(r):
            idc.create_region(id=r)
    projects = {}
    for name in ("admin", "service", "demo", "alt"):
        projects[name] = (idc.find_project(name, domain_id="default")
                          or idc.create_project(name=name, domain_id="default"))
    roles = {}
    for name in ("admin", "member", "reader", "service"):
        roles[name] = idc.find_role(name) or idc.create_role(name=name)

    def user(name):
        return (idc.find_user(name, domain_id="default")
                or idc.create_user(name=name, password=req["password"], domain_id="default"))

    for name in SERVICE_USERS:
        u = user(name)
        for role in ("admin", "service"):
            idc.assign_project_role_to_user(projects["service"], u, roles[role])
    for name, (project, rnames) in TEST_USERS.items():
        u = user(name)
        for role in rnames:
            idc.assign_project_role_to_user(projects[project], u, roles[role])

    services = list(idc.services())
    endpoints = {(e.service_id, e.region_id, e.interface): e for e in idc.endpoints()}

    def service(name, stype):
        for s in services:
            if s.type == stype and (stype == "identity" or s.name == name):
                return s
        s = idc.create_service(name=name, type=stype)
        services.append(s)
        return s

    def endpoint(svc, region, url):
        for iface in ("public", "internal", "admin"):
            ep = endpoints.get((svc.id, region, iface))
            if ep is None:
                idc.create_endpoint(service_id=svc.id, region_id=region, interface=iface, url=url)
            elif ep.url != url:
                idc.update_endpoint(ep, url=url)

    identity = service("keystone", "identity")
    for r in req["regions"]:
        endpoint(identity, r, req["auth_url"])   # region-scoped clients always find keystone
        for name, stype, key, suffix in SERVICES:
            endpoint(service(name, stype), r, f"http://127.0.0.1:{req['ports'][r][key]}{suffix}")
    url = req["albatross_url"].rstrip("/")
    endpoint(service("albatross", "multi-region"), "RegionOne", url)
    endpoint(service("albatross-kingbird", "synchronization"), "RegionOne", url + "/v1.0")

    # regions of an earlier, larger dev cloud must vanish from the catalog (clients list them)
    for (_sid, region, _iface), ep in endpoints.items():
        if region in req["unused_regions"]:
            idc.delete_endpoint(ep)
    for r in req["unused_regions"]:
        if idc.find_region(r):
            idc.delete_region(r)
    print("catalog ok:", ", ".join(req["regions"]))


def wait_compute(req):
    """nova-compute is ready when its service row was heartbeated after `since` and Placement
    has its resource provider. (`hypervisor list` is no probe: it RPCs to the compute and
    hangs 60 s while the compute's queue does not exist yet; and an old row stays 'up' for
    60 s after a restart.)"""
    conn = connect(req, req["region"])
    deadline = time.monotonic() + req.get("timeout", 180)
    since = req.get("since", 0) - 1
    last = None
    while time.monotonic() < deadline:
        try:
            up = []
            for s in conn.compute.services(binary="nova-compute"):
                if s.state != "up" or s.status != "enabled" or not s.updated_at:
                    continue
                ts = datetime.datetime.fromisoformat(s.updated_at.rstrip("Z")).replace(
                    tzinfo=datetime.timezone.utc).timestamp()
                if ts >= since:
                    up.append(s.host)
            rps = [rp.name for rp in conn.placement.resource_providers()]
            if up and rps:
                print(f"compute up: {up}; resource providers: {rps}")
                return
        except Exception as exc:  # noqa: BLE001 - keep polling, report the last error
            last = exc
        time.sleep(1)
    sys.exit(f"timeout waiting for nova-compute in {req['region']} (last error: {last})")


if __name__ == "__main__":
    {"catalog": catalog, "wait-compute": wait_compute}[sys.argv[1]](json.load(sys.stdin))
