"""The `albatross` CLI against the live service: readable tables, a job waited on."""
import json
import os
import subprocess
import sys
import time

import pytest

pytestmark = pytest.mark.devcloud


def cli(devcloud, server, *args, cloud="devcloud-demo") -> subprocess.CompletedProcess:
    env = {**os.environ, "OS_CLIENT_CONFIG_FILE": devcloud["clouds_yaml"], "COLUMNS": "200"}
    return subprocess.run([sys.executable, "-m", "albatross.cmd.main", *args,
                           "--os-cloud", cloud, "--url", server.url],
                          env=env, capture_output=True, text=True, timeout=120)


def test_region_list_keypair_sync_and_jobs(devcloud, albatross, users, regions):
    out = cli(devcloud, albatross, "region", "list")
    assert out.returncode == 0, out.stderr
    for region in regions:
        assert region in out.stdout
    name, key = users["demo"].new_keypair(regions[0], "cli")
    out = cli(devcloud, albatross, "keypair", "sync", name, "--source", regions[0],
              "--all-regions", "--wait", "-f", "json")
    assert out.returncode == 0, out.stdout + out.stderr
    job = json.loads(out.stdout)
    assert job["status"] == "SUCCESS" and len(job["tasks"]) == len(regions) - 1
    out = cli(devcloud, albatross, "job", "show", job["id"])
    assert out.returncode == 0 and name in out.stdout and "SUCCESS" in out.stdout
    out = cli(devcloud, albatross, "job", "list")
    assert job["id"] in out.stdout
    out = cli(devcloud, albatross, "job", "show", job["id"], cloud="devcloud-alt")
    assert out.returncode == 1 and "404" in out.stdout
    out = cli(devcloud, albatross, "keypair", "sync", "nope", "--source", regions[0],
              "--target", "Atlantis")
    assert out.returncode == 1 and "Atlantis" in out.stdout


def test_work_item_list_for_admins_only(devcloud, albatross):
    """The controllers' queue: every kind the server runs has looked at something by now
    (the retention purge's one key at least), shown as a table and as JSON."""
    out = cli(devcloud, albatross, "work-item", "list", "--kind", "retention_purge", "-f",
              "json", cloud="devcloud-admin")
    assert out.returncode == 0, out.stdout + out.stderr
    [item] = json.loads(out.stdout)
    assert item["key"] == "all" and item["status"] in ("queued", "running", "idle")
    out = cli(devcloud, albatross, "work-item", "list", cloud="devcloud-admin")
    assert out.returncode == 0 and "queued or running" in out.stdout, out.stdout
    out = cli(devcloud, albatross, "work-item", "list")
    assert out.returncode == 1 and "403" in out.stdout


def test_quota_commands(devcloud, albatross, users, project):
    out = cli(devcloud, albatross, "quota", "set", project.id, "--limit", "network=5",
              "--soft", "network=80%", "--wait", cloud="devcloud-admin")
    assert out.returncode == 0, out.stdout + out.stderr
    assert "SUCCESS" in out.stdout
    out = cli(devcloud, albatross, "quota", "show", "--project", project.id,
              cloud="devcloud-admin")
    assert out.returncode == 0, out.stdout
    line = next(ln for ln in out.stdout.splitlines() if "network" in ln and "5" in ln)
    assert "4" in line  # the soft threshold: 80 % of 5
    for region in users["demo"].info["regions"]:
        assert region in out.stdout
    out = cli(devcloud, albatross, "quota", "set", project.id, "--limit", "network=5",
              cloud="devcloud-demo")
    assert out.returncode == 1 and "403" in out.stdout
    out = cli(devcloud, albatross, "quota", "set", project.id, "--limit", "networks=5",
              cloud="devcloud-admin")
    assert out.returncode == 1 and "limits.networks" in out.stdout
    out = cli(devcloud, albatross, "quota-class", "set", f"c-{project.tag}", "--limit",
              "cores=64", cloud="devcloud-admin")
    assert out.returncode == 0 and "64" in out.stdout
    out = cli(devcloud, albatross, "quota-class", "delete", f"c-{project.tag}",
              cloud="devcloud-admin")
    assert out.returncode == 0


def test_secgroup_policy_and_drift_commands(devcloud, albatross, users, regions):
    demo = users["demo"]
    src, dst = regions[0], regions[1]
    name = f"cli-sg-{os.getpid()}"
    group = demo.conn(src).network.create_security_group(name=name)
    demo.conn(src).network.create_security_group_rule(
        security_group_id=group.id, direction="ingress", ethertype="IPv6", protocol="tcp",
        port_range_min=22, port_range_max=22, remote_ip_prefix="2001:db8::/32")
    try:
        out = cli(devcloud, albatross, "secgroup", "sync", name, "--source", src,
                  "--target", dst, "--wait", "-f", "json")
        assert out.returncode == 0, out.stdout + out.stderr
        job = json.loads(out.stdout)
        assert job["status"] == "SUCCESS" and job["tasks"][0]["result"]["groups_created"] == [name]
        out = cli(devcloud, albatross, "policy", "create", f"keep-{name}", name, "--type",
                  "security_group", "--source", src, "--target", dst, "-f", "json")
        assert out.returncode == 0, out.stdout + out.stderr
        policy = json.loads(out.stdout)
        copy = demo.conn(dst).network.find_security_group(name, project_id=demo.project_id)
        demo.conn(dst).network.update_security_group(copy, description="changed by hand")
        out = cli(devcloud, albatross, "policy", "audit", policy["id"], "--wait")
        assert out.returncode == 0 and "SUCCESS" in out.stdout, out.stdout + out.stderr
        out = cli(devcloud, albatross, "drift", "show", "--policy", policy["id"])
        assert out.returncode == 0 and "different" in out.stdout and name in out.stdout
        out = cli(devcloud, albatross, "policy", "list")
        assert f"keep-{name}" in out.stdout and "security_group" in out.stdout
        out = cli(devcloud, albatross, "policy", "show", policy["id"], cloud="devcloud-alt")
        assert out.returncode == 1 and "404" in out.stdout
        out = cli(devcloud, albatross, "policy", "delete", policy["id"])
        assert out.returncode == 0 and "deleted" in out.stdout
        assert demo.conn(dst).network.get_security_group(copy.id).description == ""
    finally:
        for region in (src, dst):
            net = demo.conn(region).network
            for g in list(net.security_groups(project_id=demo.project_id)):
                if g.name == name:
                    net.delete_security_group(g.id)


def test_address_commands(devcloud, albatross, users, regions):
    demo = users["demo"]
    made = []
    try:
        for region in regions[:2]:
            net = demo.conn(region).network.create_network(name=f"cli-addr-{os.getpid()}")
            made.append((region, net))
            subnet = demo.conn(region).network.create_subnet(
                network_id=net.id, cidr="10.91.0.0/24", ip_version=4)
            demo.conn(region).network.create_port(
                network_id=net.id, fixed_ips=[{"subnet_id": subnet.id,
                                               "ip_address": "10.91.0.9"}])
        out = cli(devcloud, albatross, "address", "find", "10.91.0.9", "--max-age", "0",
                  "-f", "json")
        assert out.returncode == 0, out.stdout + out.stderr
        found = json.loads(out.stdout)
        assert {r["region"] for r in found} == set(regions[:2])
        assert {r["network_name"] for r in found} == {f"cli-addr-{os.getpid()}"}
        out = cli(devcloud, albatross, "address", "conflicts", "-f", "json")
        kinds = {c["kind"] for c in json.loads(out.stdout)}
        assert out.returncode == 4 and {"subnet-overlap", "fixed-ip"} <= kinds
        out = cli(devcloud, albatross, "address", "export", "--export", "csv")
        assert out.returncode == 0 and out.stdout.startswith("kind,region")
        assert "10.91.0.9" in out.stdout
    finally:
        for region, net in made:
            conn = demo.conn(region).network
            for port in list(conn.ports(network_id=net.id)):
                conn.delete_port(port)
            conn.delete_network(net)


def test_events_command(devcloud, albatross, users, regions):
    name = f"cli-evt-{os.getpid()}"
    net = users["demo"].conn(regions[0]).network.create_network(name=name)
    try:
        deadline = time.monotonic() + 60
        while True:
            out = cli(devcloud, albatross, "events", "--region", regions[0], "-q", name,
                      "-f", "json")
            assert out.returncode == 0, out.stdout + out.stderr
            if any(e["resource_id"] == net.id for e in json.loads(out.stdout)):
                break
            assert time.monotonic() < deadline, (out.stdout, out.args)
            time.sleep(1)
        out = cli(devcloud, albatross, "events", "--since", "1h", "--type", "network.create.end")
        assert out.returncode == 0 and "network.create.end" in out.stdout
    finally:
        users["demo"].conn(regions[0]).network.delete_network(net)
