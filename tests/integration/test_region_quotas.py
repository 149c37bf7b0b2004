"""Native quotas of one project in one region (albatross.regions.quotas) against the real dev
cloud, as the service account. Every test works in its own throwaway project (and users), and
removes them, their resources and their quota rows at the end."""
import uuid

import pytest
from openstack import exceptions as sdk_exc

from albatross.quota.resources import RESOURCES
from albatross.regions.quotas import read_project_quotas, write_project_limits
from tests.integration.conftest import public_key

pytestmark = pytest.mark.devcloud


@pytest.fixture(scope="module", autouse=True)
def fresh_keypairs():
    """Overrides conftest's: these tests touch only their own projects and users, so they
    neither bring the dev cloud up nor clear the shared users' key pairs."""


def test_read_reports_every_resource_in_every_region(cloud, project):
    for region, conn in cloud["conns"].items():
        limits, usage = read_project_quotas(conn, project.id)
        assert set(limits) == set(usage) == set(RESOURCES), region
        assert all(type(v) is int and v >= -1 for v in limits.values()), (region, limits)
        assert usage == dict.fromkeys(RESOURCES, 0), (region, usage)


def test_write_reads_back_stays_in_its_region_and_unlimited_round_trips(cloud, project):
    one, two = cloud["conns"]["RegionOne"], cloud["conns"]["RegionTwo"]
    one_before, _ = read_project_quotas(one, project.id)
    wanted = {"cores": 7, "volumes": 3, "network": 4, "key_pairs": 5}
    assert write_project_limits(two, project.id, wanted) == wanted
    limits, _ = read_project_quotas(two, project.id)
    assert {n: limits[n] for n in wanted} == wanted
    assert limits["ram"] == one_before["ram"] and limits["port"] == one_before["port"]
    assert read_project_quotas(one, project.id)[0] == one_before   # isolation
    unlimited = dict.fromkeys(wanted, -1) | {"floatingip": -1, "gigabytes": -1}
    assert write_project_limits(two, project.id, unlimited) == unlimited
    assert {n: v for n, v in read_project_quotas(two, project.id)[0].items()
            if n in unlimited} == unlimited


def test_usage_is_live_and_key_pairs_count_the_busiest_user(cloud, project):
    region, admin = "RegionTwo", cloud["conns"]["RegionTwo"]
    uid, connect = project.member()
    user = connect(region)
    _gid_user, connect2 = project.member(via_group=True)
    before = read_project_quotas(admin, project.id)[1]

    net = user.network.create_network(name=project.tag)
    project.cleanups.append(lambda: user.network.delete_network(net))
    vol = user.block_storage.create_volume(size=1, name=project.tag)

    def delete_volume():
        # no cinder-volume here: the volume stays 'creating', and deleting it works anyway
        user.block_storage.delete_volume(vol)
        user.block_storage.wait_for_delete(vol, interval=0.2, wait=30)
    project.cleanups.append(delete_volume)
    for _ in range(2):
        user.compute.create_keypair(name=f"{project.tag}-{uuid.uuid4().hex[:6]}",
                                    public_key=public_key())
    other = connect2(region)
    for _ in range(3):
        other.compute.create_keypair(name=f"{project.tag}-{uuid.uuid4().hex[:6]}",
                                     public_key=public_key())

    limits, after = read_project_quotas(admin, project.id)
    assert after["network"] == before["network"] + 1
    assert after["volumes"] == before["volumes"] + 1
    assert after["gigabytes"] == before["gigabytes"] + 1
    assert after["key_pairs"] == 3      # the group member's 3, not the service account's 0
    assert read_project_quotas(cloud["conns"]["RegionOne"], project.id)[1]["key_pairs"] == 0
    # a limit under current usage is refused (not forced), and the old limit stays
    with pytest.raises(sdk_exc.BadRequestException):
        write_project_limits(admin, project.id, {"network": 0})
    # Cinder checks usage only against a limit the project already has of its own (with
    # only the default, volumes=0 would be accepted)
    assert write_project_limits(admin, project.id, {"volumes": 2}) == {"volumes": 2}
    with pytest.raises(sdk_exc.BadRequestException):
        write_project_limits(admin, project.id, {"volumes": 0})
    assert read_project_quotas(admin, project.id)[0]["network"] == limits["network"]
    # the group member is a user of the project only in Keystone's *effective* assignments
    direct = admin.identity.role_assignments(scope_project_id=project.id)
    assert {a.user["id"] for a in direct if a.user} == {uid}


def test_server_counts_in_instances_cores_and_ram(cloud, project):
    """Full Nova (fake driver) in RegionOne: a server reaches ACTIVE and counts."""
    region, admin = "RegionOne", cloud["conns"]["RegionOne"]
    _uid, connect = project.member()
    user = connect(region)
    flavor = admin.compute.create_flavor(name=project.tag, ram=64, vcpus=2, disk=1)
    project.cleanups.append(lambda: admin.compute.delete_flavor(flavor))
    image = user.image.create_image(project.tag, data=b"\0" * 4096, disk_format="raw",
                                    container_format="bare", wait=True)
    project.cleanups.append(lambda: user.image.delete_image(image))

    server = user.compute.create_server(name=project.tag, flavor_id=flavor.id,
                                        image_id=image.id, networks="none")

    def delete_server():
        admin.compute.delete_server(server)
        admin.compute.wait_for_delete(server, interval=0.5, wait=60)
    project.cleanups.append(delete_server)
    user.compute.wait_for_server(server, status="ACTIVE", interval=0.5, wait=120)

    _limits, usage = read_project_quotas(admin, project.id)
    assert (usage["instances"], usage["cores"], usage["ram"]) == (1, 2, 64)
    with pytest.raises(sdk_exc.BadRequestException):   # under usage: refused
        write_project_limits(admin, project.id, {"cores": 1})
    user.compute.delete_server(server)
    user.compute.wait_for_delete(server, interval=0.5, wait=60)
    usage = read_project_quotas(admin, project.id)[1]
    assert (usage["instances"], usage["cores"], usage["ram"]) == (0, 0, 0)
