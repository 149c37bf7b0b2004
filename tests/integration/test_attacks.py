"""The attacks of issue 14, repeated on the real dev cloud: each once did harm; each is now
refused, and the victim's project, read straight from Neutron, is unchanged."""
import socket
import time
import uuid

import pytest

from tests.integration.projects import Project
from tests.integration.test_request_ids import NovaLogs

pytestmark = pytest.mark.devcloud


@pytest.fixture
def victim(cloud):
    p = Project(cloud)
    yield p
    p.destroy()


def _subnets_on(cloud, region, network_id):
    return [s.cidr for s in cloud["conns"][region].network.subnets(network_id=network_id)]


def test_a_subnet_is_never_allocated_on_another_projects_network(devcloud, albatross, cloud,
                                                                 project, victim, regions):
    attacker = project.api_member(albatross.url)
    target = victim.api_member(albatross.url)
    region = regions[0]
    private = target.conn(region).network.create_network(name=f"victim-{uuid.uuid4().hex[:6]}")
    admin_net = cloud["conns"][region].network
    external = admin_net.create_network(name=f"ext-{victim.tag}", is_router_external=True,
                                        project_id=victim.id)
    resp = attacker.call("PUT", f"/v1/projects/{project.id}/address-plan",
                         json={"supernets": ["203.0.113.0/24"]})
    assert resp.status_code == 200, resp.text
    for net in (private, external):
        resp = attacker.call("POST", f"/v1/projects/{project.id}/subnets", json={
            "region": region, "network_id": net.id, "prefix_length": 28})
        assert resp.status_code in (403, 404), resp.text
        assert resp.json()["error"]["field"] == "network_id"
        assert _subnets_on(cloud, region, net.id) == [], "a subnet landed on the victim's net"
    # the attacker's own network still works, with the attacker's own token (Neutron's log)
    own = attacker.conn(region).network.create_network(name="mine")
    logs, rid = NovaLogs(devcloud, [region], "neutron"), f"req-{uuid.uuid4()}"
    resp = attacker.call("POST", f"/v1/projects/{project.id}/subnets", json={
        "region": region, "network_id": own.id, "prefix_length": 28},
        headers={"X-OpenStack-Request-ID": rid})
    assert resp.status_code == 201, resp.text
    subnet = cloud["conns"][region].network.get_subnet(resp.json()["subnet_id"])
    assert subnet.project_id == project.id
    # Neutron logs no access lines; creating a subnet on a network without a DHCP agent logs
    # a warning in the creating request's context: [global local user project ...]
    lines = [ln for ln in logs.wait_global_lines(region, rid) if "subnet" in ln]
    user_id = attacker.session.get_user_id()
    assert lines and all(f" {user_id} {project.id} " in ln for ln in lines), lines


def _raw_request(url: str, head: str, body_chunks=()) -> bytes:
    """Send a request by hand (a client that lies about or streams its body); the answer's
    first bytes, or b"" if the server closed without one."""
    host, port = url.rsplit("//", 1)[1].split(":")
    with socket.create_connection((host, int(port)), timeout=10) as s:
        s.sendall(head.encode())
        try:
            for chunk in body_chunks:
                s.sendall(chunk)
        except OSError:  # the server stopped reading: it refused the body
            pass
        try:
            return s.recv(200)
        except OSError:
            return b""


def test_an_oversized_body_is_refused_before_it_is_buffered(albatross):
    """Finding 5: waitress used to buffer up to 1 GiB of an unauthenticated body first."""
    t0 = time.monotonic()
    answer = _raw_request(albatross.url, "POST /v1/keypairs/sync HTTP/1.1\r\nHost: t\r\n"
                          "Content-Type: application/json\r\nContent-Length: 1073741824\r\n\r\n")
    assert answer.startswith(b"HTTP/1.1 413"), answer
    assert time.monotonic() - t0 < 5
    chunk = b"100000\r\n" + b"x" * 0x100000 + b"\r\n"  # 1 MiB chunks, never ending
    answer = _raw_request(albatross.url, "POST /v1/logs HTTP/1.1\r\nHost: t\r\n"
                          "Transfer-Encoding: chunked\r\n\r\n", [chunk] * 64)
    assert answer.startswith(b"HTTP/1.1 413"), answer
