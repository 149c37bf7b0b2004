"""The `albatross` CLI against the live service: readable tables, a job waited on."""
import json
import os
import subprocess
import sys

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
