"""The multi-region dev cloud itself: every region answers, regions are isolated, and a
region's Nova can be taken down and brought back (what Albatross's own integration tests
rely on). Needs the real dev cloud: brought up once (idempotent, ~1 s if already up) and
left running for the other integration tests."""
import uuid

import openstack
import pytest

from albatross.devcloud import DevCloud

pytestmark = pytest.mark.devcloud


@pytest.fixture(scope="module")
def cloud(devcloud):
    """The DevCloud object behind the session's running dev cloud (conftest brings it up)."""
    return devcloud["cloud"]


def connect(dc, region, user="demo"):
    cfg = openstack.config.OpenStackConfig(config_files=[dc.info()["clouds_yaml"]])
    return openstack.connection.Connection(
        config=cfg.get_one(cloud=f"devcloud-{user}", region_name=region))


def test_info_matches_clouds_yaml(cloud):
    info = cloud.info()
    assert info["auth_url"].startswith("http://127.0.0.1:") and info["auth_url"].endswith("/v3")
    assert info["regions"][:2] == ["RegionOne", "RegionTwo"]
    assert info["users"]["demo"] == {**info["users"]["demo"], "project": "demo", "role": "member"}
    for region in info["regions"]:
        conn = connect(cloud, region)
        assert conn.config.get_region_name() == region
        assert conn.current_project.name == "demo"


def test_keypair_in_every_region(cloud):
    for region in cloud.info()["regions"]:
        conn = connect(cloud, region)
        name = f"dc-test-{uuid.uuid4().hex[:8]}"
        kp = conn.compute.create_keypair(name=name)
        try:
            assert kp.name == name
            assert name in {k.name for k in conn.compute.keypairs()}
        finally:
            conn.compute.delete_keypair(name)
        assert conn.compute.find_keypair(name) is None


def test_regions_are_isolated(cloud):
    one, two = connect(cloud, "RegionOne"), connect(cloud, "RegionTwo")
    name = f"dc-iso-{uuid.uuid4().hex[:8]}"
    one.compute.create_keypair(name=name)
    try:
        assert one.compute.find_keypair(name) is not None
        assert two.compute.find_keypair(name) is None
    finally:
        one.compute.delete_keypair(name)


def test_stop_and_start_a_regions_nova(cloud):
    conn = connect(cloud, "RegionTwo")
    list(conn.compute.keypairs())          # works (and the token is cached)
    cloud.stop_service("RegionTwo", "nova")
    try:
        with pytest.raises(Exception):
            list(connect(cloud, "RegionTwo").compute.keypairs())
        # the other region is not affected
        list(connect(cloud, "RegionOne").compute.keypairs())
    finally:
        cloud.start_service("RegionTwo", "nova")
    assert isinstance(list(connect(cloud, "RegionTwo").compute.keypairs()), list)
    assert all(r["answering"] for r in cloud.status() if r["started"])


def test_full_nova_boots_a_server_on_a_network(cloud):
    """Only with `up --full-nova`: a server on a Neutron network reaches ACTIVE in RegionOne."""
    DevCloud(full_nova=True).up()  # adds full Nova if the running cloud lacks it
    admin, demo = connect(cloud, "RegionOne", "admin"), connect(cloud, "RegionOne")
    tag = uuid.uuid4().hex[:8]
    flavor = admin.compute.create_flavor(name=f"dc-{tag}", ram=64, vcpus=1, disk=1)
    image = admin.image.create_image(f"dc-{tag}", data=b"\0" * 4096, disk_format="raw",
                                     container_format="bare", visibility="public", wait=True)
    net = demo.network.create_network(name=f"dc-{tag}")
    demo.network.create_subnet(network_id=net.id, ip_version=4, cidr="10.77.0.0/24")
    try:
        server = demo.compute.create_server(name=f"dc-{tag}", flavor_id=flavor.id,
                                            image_id=image.id, networks=[{"uuid": net.id}])
        server = demo.compute.wait_for_server(server, status="ACTIVE", wait=120)
        assert server.status == "ACTIVE"
        assert f"dc-{tag}" in server.addresses
        usage = demo.compute.get_quota_set(demo.current_project_id, usage=True).usage
        assert usage["instances"] >= 1
        demo.compute.delete_server(server)
        demo.compute.wait_for_delete(server, wait=60)
    finally:
        for server in demo.compute.servers(name=f"dc-{tag}"):
            admin.compute.delete_server(server, force=True)
            admin.compute.wait_for_delete(server, wait=60)
        for port in admin.network.ports(network_id=net.id):
            admin.network.delete_port(port)
        demo.network.delete_network(net)
        admin.image.delete_image(image)
        admin.compute.delete_flavor(flavor)
