"""A worker killed in the middle of a job: after restart the job finishes, every keypair is
in place once, and nothing was created twice."""
import signal
import time

import pytest
import sqlalchemy as sa

from tests.integration.conftest import User, wait_job
from tests.integration.server import Server, db_upgrade, free_port, write_config

pytestmark = pytest.mark.devcloud
N_KEYPAIRS = 40


def test_killed_worker_resumes_without_duplicates(devcloud, regions, tmp_path):
    port = free_port()
    db_url = f"sqlite:///{tmp_path}/crash.sqlite"
    config = write_config(tmp_path / "crash.conf", db_url=db_url, port=port,
                          clouds_yaml=devcloud["clouds_yaml"], auth_url=devcloud["auth_url"],
                          password=devcloud["password"],
                          extra={"jobs": {"worker_threads": 1, "lease_seconds": 3}})
    db_upgrade(config)
    server = Server(config, port, tmp_path / "serve.log").start()
    try:
        demo = User(devcloud, "demo")
        demo.base_url = server.url
        names = [demo.new_keypair(regions[0], "crash")[0] for _ in range(N_KEYPAIRS)]
        job_id = demo.call("POST", "/v1/keypairs/sync", json={
            "source_region": regions[0], "target_regions": [regions[1]],
            "keypairs": names}).json()["job"]["id"]
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            counts = demo.call("GET", f"/v1/jobs/{job_id}").json()["job"]["task_counts"]
            if counts["SUCCESS"] >= 3:
                break
            time.sleep(0.02)
        server.kill(signal.SIGSTOP)  # freeze mid-task, then die without any cleanup
        server.kill(signal.SIGKILL)
        engine = sa.create_engine(db_url)
        with engine.connect() as c:
            states = dict(c.execute(sa.text(
                "select status, count(*) from tasks group by status")).all())
        assert states.get("SUCCESS", 0) < N_KEYPAIRS, "job finished before the kill"
        server = Server(config, port, tmp_path / "serve2.log").start()
        job = wait_job(demo, job_id, timeout=120)
    finally:
        server.stop()
    assert job["status"] == "SUCCESS", job
    assert sorted(t["resource"] for t in job["tasks"]) == sorted(names)
    target = {kp.name for kp in demo.conn(regions[1]).compute.keypairs()}
    assert set(names) <= target
    created = sum(1 for t in job["tasks"] if t["result"]["written"])
    adopted = sum(1 for t in job["tasks"] if t["result"]["action"] == "none")
    assert created + adopted == N_KEYPAIRS
    assert max(t["attempts"] for t in job["tasks"]) >= 1
    with engine.connect() as c:
        rows = c.execute(sa.text("select source_key, count(*) from resource_mappings "
                                 "group by source_key")).all()
    assert sorted(k for k, _ in rows) == sorted(names) and {n for _, n in rows} == {1}
