"""Flavor sync end to end: real Keystone tokens, the HTTP API and Kingbird's os-sync, real
Nova in each region. Every flavor made here has a unique name and is deleted everywhere."""
import re
import uuid

import pytest
from openstack import exceptions as sdk_exc

from tests.integration.conftest import wait_job
from tests.integration.test_cli import cli
from tests.integration.test_kingbird_client import kingbird

pytestmark = pytest.mark.devcloud


@pytest.fixture
def make_flavor(users, regions):
    """Creates flavors as the admin; deletes them (by id) in every region afterwards."""
    made = []

    def make(region, specs=None, access=(), **attrs):
        fid = str(uuid.uuid4())
        compute = users["admin"].conn(region).compute
        attrs = {"name": f"alb-flv-{fid[:10]}", "ram": 256, "vcpus": 1, "disk": 1, **attrs}
        compute.create_flavor(id=fid, **attrs)
        made.append(fid)
        if specs:
            compute.create_flavor_extra_specs(fid, specs)
        for project in access:
            compute.flavor_add_tenant_access(fid, project)
        return fid, attrs["name"]

    yield make
    for region in regions:
        for fid in made:
            users["admin"].conn(region).compute.delete_flavor(fid, ignore_missing=True)


def seen(user, region, fid) -> dict | None:
    """The flavor as Nova shows it, with its extra specs and access list."""
    compute = user.conn(region).compute
    try:
        f = compute.get_flavor(fid, get_extra_specs=True)
    except sdk_exc.NotFoundException:
        return None
    access = [] if f.is_public else sorted(a["tenant_id"] for a in compute.get_flavor_access(f))
    return {"id": f.id, "name": f.name, "ram": f.ram, "vcpus": f.vcpus, "disk": f.disk,
            "swap": f.swap, "ephemeral": f.ephemeral, "rxtx_factor": f.rxtx_factor,
            "is_public": f.is_public, "description": f.description,
            "extra_specs": dict(f.extra_specs), "access": access}


def sync(user, source, targets, flavors, **extra):
    return user.call("POST", "/v1/flavors/sync", json={
        "source_region": source, "target_regions": targets, "flavors": flavors, **extra})


def run(user, *args, **kwargs) -> dict:
    resp = sync(user, *args, **kwargs)
    assert resp.status_code == 202, resp.text
    return wait_job(user, resp.json()["job"]["id"])


def test_private_flavor_arrives_equal_and_follows_changes(users, regions, make_flavor):
    admin, demo, alt = users["admin"], users["demo"], users["alt"]
    src, dst = regions[0], regions[1]
    fid, name = make_flavor(src, {"hw:numa_nodes": "1", "hw:cpu_policy": "shared"},
                            [demo.project_id, alt.project_id], swap=64, ephemeral=1,
                            rxtx_factor=1.5, is_public=False, description="for tests")
    job = run(admin, src, [dst], [name])
    assert job["status"] == "SUCCESS" and job["kind"] == "flavor_sync", job
    [task] = job["tasks"]
    assert task["resource"] == name and task["result"]["target_id"] == fid
    assert task["result"]["action"] == "create" and task["result"]["written"] is True
    assert task["result"]["access_added"] == sorted([demo.project_id, alt.project_id])
    assert seen(admin, dst, fid) == seen(admin, src, fid)
    assert demo.conn(dst).compute.get_flavor(fid).name == name  # the access works

    again = run(admin, src, [dst], [fid])  # by id this time: the same flavor
    assert again["status"] == "SUCCESS"
    assert [(t["result"]["action"], t["result"]["written"]) for t in again["tasks"]] == \
        [("none", False)]

    compute = admin.conn(src).compute
    compute.update_flavor_extra_specs_property(fid, "hw:numa_nodes", "2")
    compute.delete_flavor_extra_specs_property(fid, "hw:cpu_policy")
    compute.create_flavor_extra_specs(fid, {"hw:mem_page_size": "large"})
    compute.flavor_remove_tenant_access(fid, alt.project_id)
    compute.update_flavor(fid, description="changed")
    [task] = run(admin, src, [dst], [name])["tasks"]
    result = task["result"]
    assert result["action"] == "update" and result["written"] is True, task
    assert result["extra_specs_set"] == ["hw:mem_page_size", "hw:numa_nodes"]
    assert result["extra_specs_unset"] == ["hw:cpu_policy"]
    assert result["access_removed"] == [alt.project_id] and result["description_updated"]
    assert seen(admin, dst, fid) == seen(admin, src, fid)


def test_fixed_fields_conflict_without_force_and_are_replaced_with_it(users, regions,
                                                                      make_flavor):
    admin, src, dst = users["admin"], regions[0], regions[1]
    fid, name = make_flavor(src, {"hw:numa_nodes": "1"})
    admin.conn(dst).compute.create_flavor(id=fid, name=name, ram=1024, vcpus=1, disk=1)
    job = run(admin, src, [dst], [name])
    [task] = job["tasks"]
    assert job["status"] == "FAILED" and "ram 1024 (source 256)" in task["error"]
    assert "force" in task["error"] and seen(admin, dst, fid)["ram"] == 1024  # untouched
    [task] = run(admin, src, [dst], [name], force=True)["tasks"]
    assert task["status"] == "SUCCESS" and task["result"]["action"] == "replace"
    assert task["result"]["replaced_fields"] == ["ram"]
    assert seen(admin, dst, fid) == seen(admin, src, fid)


def test_members_are_refused(users, regions, make_flavor):
    _fid, name = make_flavor(regions[0])
    demo = users["demo"]
    resp = sync(demo, regions[0], [regions[1]], [name])
    assert resp.status_code == 403 and "albatross:flavors:sync" in resp.json()["error"]["message"]
    body = {"resource_set": {"resource_type": "flavor", "resources": [name],
                             "source": regions[0], "target": [regions[1]], "force": "False"}}
    resp = demo.call("POST", f"/v1.0/{demo.project_id}/os-sync/", json=body)
    assert resp.status_code == 403


def test_missing_flavor_is_a_404_naming_the_field(users, regions, make_flavor):
    _fid, name = make_flavor(regions[0])
    resp = sync(users["admin"], regions[0], [regions[1]], [name, "no-such-flavor-x"])
    assert resp.status_code == 404
    err = resp.json()["error"]
    assert err["field"] == "flavors" and "no-such-flavor-x" in err["message"]


def test_kingbird_client_syncs_a_flavor_for_the_admin(devcloud, albatross, users, regions,
                                                      make_flavor):
    admin = users["admin"]
    fid, name = make_flavor(regions[0], {"hw:numa_nodes": "1"}, is_public=True)
    out = kingbird(devcloud, albatross.url, "sync", "create", "--source", regions[0],
                   "--target", regions[1], "--resource_type", "flavor", "--resources", name,
                   user="admin")
    job_id = re.search(r"[0-9a-f]{8}-[0-9a-f-]{27}", out).group(0)
    job = wait_job(admin, job_id)
    assert job["status"] == "SUCCESS" and job["origin"] == "kingbird", job
    assert seen(admin, regions[1], fid) == seen(admin, regions[0], fid)
    shown = kingbird(devcloud, albatross.url, "sync", "show", job_id, user="admin")
    assert name in shown and "flavor" in shown


def test_cli_syncs_to_all_regions_with_a_table_of_changes(devcloud, albatross, users, regions,
                                                          make_flavor):
    admin = users["admin"]
    fid, name = make_flavor(regions[0], {"hw:numa_nodes": "1"}, [users["demo"].project_id],
                            is_public=False)
    out = cli(devcloud, albatross, "flavor", "sync", name, "--source", regions[0],
              "--all-regions", "--wait", cloud="devcloud-admin")
    assert out.returncode == 0, out.stdout + out.stderr
    assert "SUCCESS" in out.stdout and "Changes" in out.stdout
    assert "extra_specs_set: hw:numa_nodes" in out.stdout
    for region in regions[1:]:
        assert seen(admin, region, fid) == seen(admin, regions[0], fid)
    out = cli(devcloud, albatross, "flavor", "sync", name, "--source", regions[0],
              "--all-regions", cloud="devcloud-demo")
    assert out.returncode == 1 and "403" in out.stdout
