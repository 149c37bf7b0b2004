"""Following one Albatross request across every region's logs, on the real dev cloud: a keypair
sync started with X-OpenStack-Request-ID keeps that id in its job, and every region it touched
(the source, read in the API request; the targets, written by the job's tasks) wrote it in its
own Nova log as the *global* request id ([global local user project ...], oslo.log's format).
A malformed id is ignored: the Albatross request's own id is forwarded instead."""
import os
import re
import time
import uuid

import pytest

from albatross.devcloud.settings import region_short
from tests.integration.conftest import wait_job

pytestmark = pytest.mark.devcloud
LOCAL = r"req-[0-9a-f]{8}-(?:[0-9a-f]{4}-){3}[0-9a-f]{12}"


class NovaLogs:
    """The regions' API logs of a service (Nova by default) from now on (the dev cloud writes
    r<N>-<service>.log)."""

    def __init__(self, devcloud: dict, regions: list[str], service: str = "nova"):
        self.paths = {r: os.path.join(devcloud["logs"], f"{region_short(r)}-{service}.log")
                      for r in regions}
        self.start = {r: os.path.getsize(p) for r, p in self.paths.items()}

    def since(self, region: str) -> str:
        with open(self.paths[region], encoding="utf-8", errors="replace") as f:
            f.seek(self.start[region])
            return f.read()

    def global_lines(self, region: str, request_id: str) -> list[str]:
        """The lines that name `request_id` as the global id (the local id is Nova's own)."""
        pattern = re.compile(rf"\[{re.escape(request_id)} (?!{re.escape(request_id)}){LOCAL} ")
        return [line for line in self.since(region).splitlines() if pattern.search(line)]

    def wait_global_lines(self, region: str, request_id: str, timeout: float = 20) -> list[str]:
        deadline = time.monotonic() + timeout
        while True:
            lines = self.global_lines(region, request_id)
            if lines or time.monotonic() > deadline:
                return lines
            time.sleep(0.3)


def _sync(user, source, targets, name, headers=None):
    resp = user.call("POST", "/v1/keypairs/sync", headers=headers or {},
                     json={"source_region": source, "target_regions": targets,
                           "keypairs": [name]})
    assert resp.status_code == 202, resp.text
    return resp


def test_a_clients_request_id_reaches_every_region_it_touches(devcloud, users, regions):
    demo = users["demo"]
    name, _key = demo.new_keypair(regions[0], prefix="rid")
    logs = NovaLogs(devcloud, regions)
    given = f"req-{uuid.uuid4()}"
    resp = _sync(demo, regions[0], regions[1:], name, {"X-OpenStack-Request-ID": given})
    local = resp.headers["X-OpenStack-Request-Id"]
    assert local != given and resp.json()["job"]["request_id"] == given
    job = wait_job(demo, resp.json()["job"]["id"])
    assert job["status"] == "SUCCESS", job
    assert job["request_id"] == given

    for region in regions[1:]:  # the job's tasks: read the target, create the keypair there
        lines = logs.wait_global_lines(region, given)
        assert any("os-keypairs" in line and '"POST' in line for line in lines), \
            (region, lines)
    # the source: read by the API request (live) and by each task (its source)
    assert any('"GET /v2.1/os-keypairs/' + name in line
               for line in logs.wait_global_lines(regions[0], given))
    for region in regions:  # the client's id is the one forwarded, never Albatross's own
        assert local not in logs.since(region)


def test_a_malformed_id_is_ignored_and_albatrosss_own_is_forwarded(devcloud, users, regions):
    demo = users["demo"]
    name, _key = demo.new_keypair(regions[0], prefix="rid")
    logs = NovaLogs(devcloud, regions[:2])
    forged = f"req-{uuid.uuid4()}".upper()  # oslo.middleware takes lower case only
    resp = _sync(demo, regions[0], [regions[1]], name, {"X-OpenStack-Request-ID": forged})
    local = resp.headers["X-OpenStack-Request-Id"]
    assert resp.json()["job"]["request_id"] == local
    assert wait_job(demo, resp.json()["job"]["id"])["status"] == "SUCCESS"
    assert logs.wait_global_lines(regions[1], local)
    assert logs.wait_global_lines(regions[0], local)
    assert all(forged.lower() not in logs.since(r).lower() for r in regions[:2])
