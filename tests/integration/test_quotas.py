"""Global quotas end to end: real regions, real usage, native limits set by Albatross and
enforced by each region's own API (docs/quota.md, strict policy)."""
import pytest
from openstack import exceptions as sdk_exc

from tests.integration.conftest import wait_job

pytestmark = pytest.mark.devcloud


def set_limits(admin, project_id, **body):
    resp = admin.call("PUT", f"/v1/projects/{project_id}/quotas", json=body)
    assert resp.status_code == 202, resp.text
    return wait_job(admin, resp.json()["job"]["id"])


def sync(admin, project_id):
    resp = admin.call("POST", f"/v1/projects/{project_id}/quotas/sync")
    assert resp.status_code == 202, resp.text
    return wait_job(admin, resp.json()["job"]["id"])


def view(user, project_id):
    resp = user.call("GET", f"/v1/projects/{project_id}/quotas")
    assert resp.status_code == 200, resp.text
    return resp.json()["quota"]


def fill(conn, prefix, created: list) -> int:
    """Create networks until the region's own Neutron refuses; returns how many it took."""
    n = 0
    while True:
        try:
            created.append((conn, conn.network.create_network(name=f"{prefix}-{n}")))
        except sdk_exc.ConflictException as exc:  # Neutron: 409 OverQuota
            assert "quota" in str(exc).lower()
            return n
        n += 1
        assert n <= 10, "the region never refused"


def test_networks_obey_the_global_limit_and_headroom_flows(users, regions, project):
    admin = users["admin"]
    _uid, connect = project.member()
    job = set_limits(admin, project.id, limits={"network": 4, "volumes": 2})
    assert job["status"] == "SUCCESS", job
    q = view(admin, project.id)
    assert q["complete"] and q["resources"]["network"]["limit"] == 4
    native = q["resources"]["network"]["regional_limits"]
    assert sum(native.values()) == 4 and set(native) == set(regions)

    created = []
    project.cleanups.append(lambda: [c.network.delete_network(n) for c, n in created
                                     if c.network.find_network(n.id)])
    one, two = connect(regions[0]), connect(regions[1])
    n_one = fill(one, f"{project.tag}-a", created)
    n_two = fill(two, f"{project.tag}-b", created)
    assert n_one == native[regions[0]] and n_two == native[regions[1]]
    q = view(admin, project.id)
    usage = q["resources"]["network"]["usage"]
    assert usage[regions[0]] == n_one and usage[regions[1]] == n_two
    assert q["resources"]["network"]["total_usage"] == n_one + n_two
    assert q["resources"]["network"]["remaining"] == 4 - n_one - n_two
    shares = q["resources"]["volumes"]["regional_limits"]  # 2 volumes over the regions
    where = max(shares, key=shares.get)
    cinder = connect(where).block_storage
    vol = cinder.create_volume(size=1, name=project.tag)  # counts while 'creating'
    project.cleanups.append(lambda: cinder.delete_volume(vol))
    vols = view(admin, project.id)["resources"]["volumes"]
    assert vols["usage"][where] == 1 and vols["total_usage"] == 1
    assert vols["remaining"] == 1 and sum(vols["regional_limits"].values()) == 2

    # RegionOne gives its networks back; after a rebalance RegionTwo may use that room
    for conn, net in [c for c in created if c[0] is one]:
        one.network.delete_network(net)
    created[:] = [c for c in created if c[0] is not one]
    assert sync(admin, project.id)["status"] == "SUCCESS"
    more = fill(two, f"{project.tag}-c", created)
    assert more > 0
    total = sum(view(admin, project.id)["resources"]["network"]["usage"].values())
    assert total == n_two + more <= 4
    native = view(admin, project.id)["resources"]["network"]["regional_limits"]
    assert sum(native.values()) <= 4


def test_servers_in_the_full_nova_region(users, regions, project, cloud):
    admin, region = users["admin"], regions[0]
    _uid, connect = project.member()
    user, nova_admin = connect(region), cloud["conns"][region].compute
    flavor = nova_admin.create_flavor(name=project.tag, ram=64, vcpus=1, disk=1)
    project.cleanups.append(lambda: nova_admin.delete_flavor(flavor))
    image = user.image.create_image(project.tag, data=b"\0" * 4096, disk_format="raw",
                                    container_format="bare", wait=True)
    project.cleanups.append(lambda: user.image.delete_image(image))
    servers = []

    def cleanup():
        for s in servers:
            nova_admin.delete_server(s)
        for s in servers:
            nova_admin.wait_for_delete(s, interval=0.5, wait=60)
    project.cleanups.append(cleanup)

    def boot():
        s = user.compute.create_server(name=project.tag, flavor_id=flavor.id,
                                       image_id=image.id, networks="none")
        servers.append(s)
        return user.compute.wait_for_server(s, status="ACTIVE", interval=0.5, wait=120)

    assert set_limits(admin, project.id, limits={"instances": 2, "cores": 2})["status"] \
        == "SUCCESS"
    boot()
    q = view(admin, project.id)
    assert q["resources"]["instances"]["usage"][region] == 1
    assert q["resources"]["cores"]["total_usage"] == 1
    assert sync(admin, project.id)["status"] == "SUCCESS"  # the busy region gets the room
    boot()
    with pytest.raises(sdk_exc.HttpException) as refused:  # Nova's own quota check
        user.compute.create_server(name=project.tag, flavor_id=flavor.id, image_id=image.id,
                                   networks="none")
    assert refused.value.status_code == 403 and "quota" in str(refused.value).lower()
    native = view(admin, project.id)["resources"]["instances"]["regional_limits"]
    assert sum(native.values()) <= 2


def test_members_read_their_own_view_only(users, project):
    demo, alt = users["demo"], users["alt"]
    mine = demo.call("GET", f"/v1/projects/{demo.project_id}/quotas")
    assert mine.status_code == 200 and mine.json()["quota"]["complete"]
    assert set(mine.json()["quota"]["regions"]) == set(users["demo"].info["regions"])
    assert alt.call("GET", f"/v1/projects/{demo.project_id}/quotas").status_code == 403
    assert demo.call("PUT", f"/v1/projects/{demo.project_id}/quotas",
                     json={"limits": {"cores": 1}}).status_code == 403
    resp = users["admin"].call("PUT", f"/v1/projects/{project.id}/quotas",
                               json={"limits": {"cores": -3}})
    assert resp.status_code == 400 and resp.json()["error"]["field"] == "limits.cores"


def test_region_down_during_a_sync_is_reported_and_fixed_next_time(devcloud, users, regions,
                                                                   project):
    admin, dev_cloud, down = users["admin"], devcloud["cloud"], regions[-1]
    assert set_limits(admin, project.id, limits={"router": 6})["status"] == "SUCCESS"
    before = view(admin, project.id)["resources"]["router"]["regional_limits"]
    dev_cloud.stop_service(down, "neutron")
    try:
        job = set_limits(admin, project.id, limits={"router": 3})
        assert job["status"] == "FAILED"
        assert down in job["tasks"][0]["error"] and "rebalanced" in job["tasks"][0]["error"]
        q = view(admin, project.id)
        assert q["regions"][down]["status"] == "unreachable" and not q["complete"]
        assert q["resources"]["router"]["usage"][down] is None
        native = q["resources"]["router"]["regional_limits"]
        # the others were lowered; together with the frozen allowance they stay within 3
        assert sum(v for r, v in native.items() if r != down) + before[down] <= 3
        events = admin.call("GET", f"/v1/projects/{project.id}/quota-events").json()["events"]
        assert any(e["kind"] == "region_failed" and down in e["detail"] for e in events)
    finally:
        dev_cloud.start_service(down, "neutron")
    assert sync(admin, project.id)["status"] == "SUCCESS"
    native = view(admin, project.id)["resources"]["router"]["regional_limits"]
    assert sum(native.values()) == 3


def test_soft_limit_records_an_event_and_calls_the_webhook(users, regions, project, webhook):
    admin = users["admin"]
    _uid, connect = project.member()
    set_limits(admin, project.id, limits={"subnet": 10},
               soft={"subnet": {"absolute": 1}})
    net = connect(regions[1]).network.create_network(name=project.tag)
    project.cleanups.append(lambda: connect(regions[1]).network.delete_network(net))
    connect(regions[1]).network.create_subnet(network_id=net.id, ip_version=4,
                                              cidr="10.91.0.0/24")
    assert sync(admin, project.id)["status"] == "SUCCESS"
    events = admin.call("GET", f"/v1/projects/{project.id}/quota-events").json()["events"]
    crossed = [e for e in events if e["kind"] == "soft_crossed"]
    assert crossed and crossed[0]["resource"] == "subnet" and crossed[0]["threshold"] == 1
    assert view(admin, project.id)["resources"]["subnet"]["soft_limit"] == 1
    hooks = [h for h in webhook.received if h["project_id"] == project.id]
    assert hooks == [{"project_id": project.id, "resource": "subnet",
                      "event": "soft_limit_crossed", "usage": 1, "threshold": 1,
                      "hard_limit": 10}]
