"""A region whose Nova is down: its tasks fail readably, the others succeed, and a retry
after Nova returns completes the job."""
import pytest

from tests.integration.conftest import wait_job

pytestmark = pytest.mark.devcloud


def test_outage_then_retry(devcloud, users, regions):
    if len(regions) < 3:
        pytest.fail("this test needs 3 regions (ALBATROSS_TEST_REGIONS=3)")
    demo, cloud = users["demo"], devcloud["cloud"]
    src, down, up = regions[0], regions[1], regions[2]
    name, key = demo.new_keypair(src)
    cloud.stop_service(down, "nova")
    try:
        resp = demo.call("POST", "/v1/keypairs/sync", json={
            "source_region": src, "target_regions": [down, up], "keypairs": [name]})
        assert resp.status_code == 202, resp.text
        job = wait_job(demo, resp.json()["job"]["id"])
        by_region = {t["target_region"]: t for t in job["tasks"]}
        assert job["status"] == "FAILED"
        assert by_region[up]["status"] == "SUCCESS"
        failed = by_region[down]
        assert failed["status"] == "FAILED" and failed["attempts"] == 2
        assert failed["error"] == f"{down}: service unreachable (connection failed)"
    finally:
        cloud.start_service(down, "nova")
    retried = demo.call("POST", f"/v1/jobs/{job['id']}/retry")
    assert retried.status_code == 202
    job = wait_job(demo, job["id"])
    assert job["status"] == "SUCCESS", job
    assert demo.conn(down).compute.get_keypair(name).public_key == key
