"""python-kingbirdclient 0.2.1's `kingbird` CLI, unchanged, against Albatross."""
import json
import os
import re
import shutil
import subprocess
import sys
import time

import pytest

from tests.integration.conftest import wait_job

pytestmark = pytest.mark.devcloud


def kingbird(devcloud, server_url, *args, user="demo") -> str:
    exe = shutil.which("kingbird") or os.path.join(os.path.dirname(sys.executable), "kingbird")
    env = {**os.environ, "OS_AUTH_URL": devcloud["auth_url"], "OS_USERNAME": user,
           "OS_PASSWORD": devcloud["password"],
           "OS_PROJECT_NAME": devcloud["users"][user]["project"],
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


def test_kingbird_cli_quota_commands(devcloud, albatross, users, project):
    def kb(*args):
        return kingbird(devcloud, albatross.url, *args, user="admin")

    defaults = kb("quota", "defaults")
    assert "cores" in defaults and "20" in defaults
    kb("quota", "update", project.id, "--cores", "9", "--network", "3")
    shown = kb("quota", "show", "--tenant", project.id)
    assert re.search(r"cores\s*\|\s*9\b", shown) and re.search(r"network\s*\|\s*3\b", shown)
    detail = kb("quota", "detail", "--tenant", project.id)
    assert re.search(r"network\s*\|\s*0\s*\|\s*3\b", detail)  # usage, limit
    assert "triggered" in kb("quota", "sync", project.id)
    deadline = time.monotonic() + 90  # the sync is a job: wait until it has run
    while True:
        view = users["admin"].call("GET", f"/v1/projects/{project.id}/quotas").json()["quota"]
        native = sum(view["resources"]["network"]["regional_limits"].values())
        if native == 3 or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert native == 3
    kb("quota", "delete", project.id)
    shown = kb("quota", "show", "--tenant", project.id)
    assert re.search(r"cores\s*\|\s*20\b", shown)
    cls = f"kb-{project.tag}"
    kb("quota-class", "update", cls, "--cores", "100")
    assert re.search(r"cores\s*\|\s*100\b", kb("quota-class", "show", cls))
    kb("quota-class", "delete", cls)
    assert re.search(r"cores\s*\|\s*20\b", kb("quota-class", "show", cls))
    # a member may read but not change
    out = kingbird(devcloud, albatross.url, "quota", "show")
    assert "cores" in out
