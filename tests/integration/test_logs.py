"""Logs end to end: `albatross agent` follows the real log file of RegionTwo's Glance and ships
it with the ingest token; the request id of a failing Glance call is then found in that
region's shipped lines; a restart ships what was written meanwhile and nothing twice; the
SSE tail through waitress delivers a newly ingested line."""
import json
import os
import queue
import subprocess
import threading
import time
import uuid

import pytest
import requests
from openstack import exceptions as sdk_exc

from tests.integration.server import ALBATROSS, Process, start_albatross

pytestmark = pytest.mark.devcloud
TOKEN = f"ingest-{uuid.uuid4().hex}"


@pytest.fixture(scope="module")
def log_server(devcloud, tmp_path_factory):
    """An Albatross that takes the ingest token (its own: the shared one has none)."""
    server = start_albatross(devcloud, tmp_path_factory.mktemp("logs"),
                             {"logs": {"ingest_token": TOKEN}})
    yield server
    server.stop()
    assert TOKEN not in server.log()


@pytest.fixture
def glance_log(devcloud, regions) -> tuple[str, str]:
    region = regions[1]  # the dev cloud's logs are r<N>-<service>.log
    return region, os.path.join(devcloud["logs"], "r2-glance.log")


def _agent(tmp_path, server, region, path, *extra) -> Process:
    return Process(ALBATROSS + ["agent", "--url", server.url, "--file", f"{region}:glance:{path}",
                                "--position-file", str(tmp_path / "positions.json"), *extra],
                   tmp_path / "agent.log", env={"ALBATROSS_INGEST_TOKEN": TOKEN})


def _failing_glance_call(user, region) -> str:
    """Asks for a member that the image does not have: Glance answers 404 and logs a
    WARNING with the request id; returns that id (the SDK's exception carries it)."""
    image = user.conn(region).image
    created = image.create_image(name=f"logs-{uuid.uuid4().hex[:8]}", disk_format="raw",
                                 container_format="bare", visibility="shared")
    try:
        with pytest.raises(sdk_exc.NotFoundException) as err:
            image.get_member(uuid.uuid4().hex, created)
    finally:
        image.delete_image(created)
    assert err.value.request_id and err.value.request_id.startswith("req-")
    return err.value.request_id


def _lines(server, admin, **params) -> list[dict]:
    resp = requests.get(server.url + "/v1/logs", params=params, timeout=30,
                        headers={"X-Auth-Token": admin.token})
    assert resp.status_code == 200, resp.text
    return resp.json()["logs"]


def _wait_lines(server, admin, timeout=45, **params) -> list[dict]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        lines = _lines(server, admin, **params)
        if lines:
            return lines
        time.sleep(0.5)
    raise AssertionError(f"no shipped line with {params}")


def test_a_failing_glance_call_is_found_by_its_request_id(tmp_path, devcloud, log_server,
                                                          users, glance_log):
    region, path = glance_log
    admin = users["admin"]
    agent = _agent(tmp_path, log_server, region, path).start()
    try:
        deadline = time.monotonic() + 30
        while not (tmp_path / "positions.json").exists():  # it has opened the file, at its end
            assert agent.proc.poll() is None and time.monotonic() < deadline, agent.log()
            time.sleep(0.1)
        request_id = _failing_glance_call(users["demo"], region)
        [line] = _wait_lines(log_server, admin, request_id=request_id)
    finally:
        agent.stop()
    assert (line["region"], line["service"], line["level"], line["logger"]) == (
        region, "glance", "WARNING", "glance.api.v2.image_members")
    assert "not found in the member list" in line["message"]
    assert request_id in line["request_ids"] and request_id in line["raw"]
    assert _lines(log_server, admin, request_id=request_id, region="RegionOne") == []
    assert _lines(log_server, admin, q="member list", service="glance")
    resp = requests.get(log_server.url + "/v1/logs", timeout=30,
                        headers={"X-Auth-Token": users["demo"].token})
    assert resp.status_code == 403

    # written while the agent is down: shipped by the next run, and nothing twice
    missed = _failing_glance_call(users["demo"], region)
    time.sleep(1)  # Glance has written its line
    again = subprocess.run(_agent(tmp_path, log_server, region, path, "--once").args,
                           env={**os.environ, "ALBATROSS_INGEST_TOKEN": TOKEN},
                           capture_output=True, text=True, timeout=120)
    assert again.returncode == 0, again.stderr
    assert len(_lines(log_server, admin, request_id=missed)) == 1
    assert len(_lines(log_server, admin, request_id=request_id)) == 1

    out = subprocess.run(ALBATROSS + ["logs", "--request-id", missed, "--url", log_server.url,
                                      "--os-cloud", "devcloud-admin", "-f", "json"],
                         env={**os.environ, "OS_CLIENT_CONFIG_FILE": devcloud["clouds_yaml"]},
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert [line["request_ids"] for line in json.loads(out.stdout)] == [[missed]]


def test_the_live_tail_delivers_a_new_line_through_waitress(log_server, users):
    marker = f"tail-marker-{uuid.uuid4().hex}"
    events: queue.Queue = queue.Queue()
    resp = requests.get(log_server.url + "/v1/logs/stream", params={"service": "tailtest"},
                        headers={"X-Auth-Token": users["admin"].token}, stream=True, timeout=60)
    assert resp.status_code == 200
    assert resp.headers["Content-Type"].startswith("text/event-stream")

    def read():
        for raw in resp.iter_lines(decode_unicode=True):
            if raw.startswith("data: "):
                events.put(json.loads(raw[6:]))
                return

    threading.Thread(target=read, daemon=True).start()
    body = json.dumps({"time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                       "region": "RegionOne", "service": "tailtest", "host": "h",
                       "level": "ERROR", "message": marker})
    shipped = requests.post(log_server.url + "/v1/logs", data=body, timeout=30,
                            headers={"Authorization": f"Bearer {TOKEN}"})
    assert shipped.status_code == 200 and shipped.json()["stored"] == 1
    try:
        line = events.get(timeout=15)
    finally:
        resp.close()
    assert line["message"] == marker and line["level"] == "ERROR"
