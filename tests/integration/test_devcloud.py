"""The multi-region dev cloud itself: every region answers, regions are isolated, and a
region's Nova can be taken down and brought back (what Albatross's own integration tests
rely on). Needs the real dev cloud: brought up once (idempotent, ~1 s if already up) and
left running for the other integration tests."""
import json
import re
import subprocess
import time
import uuid

import kombu
import openstack
import pytest

from albatross.devcloud import DevCloud, backing
from albatross.devcloud.settings import region_short

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
    """Only with `up --full-nova`: a server on a Neutron network reaches ACTIVE in RegionOne
    and in RegionTwo, each region's Nova on its own RabbitMQ virtual host (a cast of one never
    reaches the other's conductor or compute)."""
    info = DevCloud(full_nova=True).up()  # adds full Nova if the running cloud lacks it
    assert info["nova_regions"] == ["RegionOne", "RegionTwo"][:len(info["regions"])]
    for region in info["nova_regions"]:
        _boot_on_a_network(cloud, region)


def _boot_on_a_network(cloud, region):
    admin, demo = connect(cloud, region, "admin"), connect(cloud, region)
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
        host = admin.compute.get_server(server.id).compute_host
        assert host == f"devcloud-{region_short(region)}-compute"
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


def test_notification_queues_are_bounded(cloud):
    """With RabbitMQ (full Nova), `up` sets a policy that caps the services' notification
    queues, which grow while no Albatross listens, and leaves every other queue alone."""
    info = DevCloud(full_nova=True).up()  # RabbitMQ, the notifications and the policy
    argv, env = backing.rabbitmqctl_command(cloud.paths, cloud._state()["mq"])
    assert argv, "no rabbitmqctl for the dev cloud's RabbitMQ"

    def ctl(*args):
        r = subprocess.run([*argv, "-q", *args, "--formatter", "json"], env=env,
                           capture_output=True, text=True, timeout=60)
        assert r.returncode == 0, r.stderr
        return json.loads(r.stdout)

    policy = {p["name"]: p for p in ctl("list_policies")}["albatross-devcloud-notifications"]
    assert policy["apply-to"] == "queues"
    assert json.loads(policy["definition"]) == {"max-length": 10000, "overflow": "drop-head"}
    for name in ("notifications_r1.info", "notifications_r4.error",
                 "notifications_identity.info"):
        assert re.search(policy["pattern"], name), name
    for name in ("albatross-events-RegionOne", "albatross-events-identity", "albatross",
                 "celery", "celeryev.1f2e", "w1@host.celery.pidbox", "conductor",
                 "albatross-test-notifications-1f2e-RegionOne"):
        assert not re.search(policy["pattern"], name), name

    # a keypair makes RegionOne's Nova publish (and so declare) notifications_r1.info
    conn = connect(cloud, "RegionOne")
    conn.compute.delete_keypair(conn.compute.create_keypair(name=f"dc-pol-{uuid.uuid4().hex[:8]}"))
    topic = info["notifications"]["RegionOne"]["topic"]
    decoys = [f"albatross-events-dctest-{uuid.uuid4().hex[:8]}",
              f"celeryev.dctest-{uuid.uuid4().hex[:8]}"]
    url = info["notifications"]["RegionOne"]["url"].replace("rabbit://", "amqp://", 1)
    with kombu.Connection(url) as mq:
        channel = mq.channel()
        try:
            for q in decoys:  # queues like Albatross's and Celery's: no policy for them
                channel.queue_declare(q, auto_delete=True)
            deadline = time.monotonic() + 30
            while True:
                queues = {q["name"]: q["policy"] for q in ctl("list_queues", "name", "policy")}
                if f"{topic}.info" in queues or time.monotonic() > deadline:
                    break
                time.sleep(0.5)
        finally:
            for q in decoys:
                channel.queue_delete(q)
    assert queues.get(f"{topic}.info") == "albatross-devcloud-notifications", queues
    assert all(queues[q] == "" for q in decoys), queues
    governed = [q for q, pol in queues.items() if pol == "albatross-devcloud-notifications"]
    assert all(re.match(r"notifications_(identity|r[0-9]+)\.", q) for q in governed), governed
