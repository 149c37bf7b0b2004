"""python-kingbirdclient 0.2.1's `kingbird` CLI, unchanged, against Albatross."""
import json
import os
import re
import shutil
import subprocess
import sys

import pytest

from tests.integration.conftest import wait_job

pytestmark = pytest.mark.devcloud


def kingbird(devcloud, server_url, *args) -> str:
    exe = shutil.which("kingbird") or os.path.join(os.path.dirname(sys.executable), "kingbird")
    env = {**os.environ, "OS_AUTH_URL": devcloud["auth_url"], "OS_USERNAME": "demo",
           "OS_PASSWORD": devcloud["password"], "OS_PROJECT_NAME": "demo",
           "OS_USER_DOMAIN_NAME": "Default", "OS_PROJECT_DOMAIN_NAME": "Default",
           "OS_KINGBIRD_URL": server_url + "/v1.0"}
    env.pop("OS_CLOUD", None)
    out = subprocess.run([exe, *args], env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stdout + out.stderr
    return out.stdout


def test_kingbird_cli_sync_lifecycle(devcloud, albatross, users, regions):
    demo = users["demo"]
    name, key = demo.new_keypair(regions[0], "kb")
    out = kingbird(devcloud, albatross.url, "sync", "create", "--source", regions[0],
                   "--target", regions[1], "--resource_type", "keypair",
                   "--resources", name, "--force")
    job_id = re.search(r"[0-9a-f]{8}-[0-9a-f-]{27}", out).group(0)
    assert "IN_PROGRESS" in out
    job = wait_job(demo, job_id)
    assert job["status"] == "SUCCESS" and job["origin"] == "kingbird"
    assert demo.conn(regions[1]).compute.get_keypair(name).public_key == key
    listed = kingbird(devcloud, albatross.url, "sync", "list")
    assert job_id in listed and "SUCCESS" in listed
    assert job_id not in kingbird(devcloud, albatross.url, "sync", "list", "--active")
    shown = kingbird(devcloud, albatross.url, "sync", "show", job_id)
    assert name in shown and regions[1] in shown and "keypair" in shown
    deleted = kingbird(devcloud, albatross.url, "sync", "delete", job_id)
    assert "deleted" in deleted.lower() or deleted.strip() == ""
    assert demo.call("GET", f"/v1/jobs/{job_id}").status_code == 404


def test_kingbird_cli_template_with_two_keypairs(devcloud, albatross, users, regions, tmp_path):
    demo = users["demo"]
    names = [demo.new_keypair(regions[0], "kbt")[0] for _ in range(2)]
    template = tmp_path / "sync.json"
    template.write_text(json.dumps({"Sync": [
        {"resource_type": "keypair", "resources": [n], "source": regions[0],
         "target": [regions[1]], "force": "True"} for n in names]}))
    out = kingbird(devcloud, albatross.url, "sync", "template", str(template))
    job_id = re.search(r"[0-9a-f]{8}-[0-9a-f-]{27}", out).group(0)
    job = wait_job(demo, job_id)
    assert job["status"] == "SUCCESS" and sorted(t["resource"] for t in job["tasks"]) == sorted(names)
