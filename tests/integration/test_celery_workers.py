"""Scale-out: the API announces tasks on RabbitMQ and two `albatross worker` processes share
the tasks of one job."""
import uuid

import pytest

from tests.integration.conftest import User, wait_job
from tests.integration.server import ALBATROSS, Process, Server, db_upgrade, free_port, \
    write_config

pytestmark = [pytest.mark.devcloud, pytest.mark.celery]
BROKER = "amqp://guest:guest@127.0.0.1:5672//"


def test_two_celery_workers_share_one_job(devcloud, regions, tmp_path):
    port = free_port()
    queue = f"albatross-test-{uuid.uuid4().hex[:8]}"
    config = write_config(tmp_path / "celery.conf",
                          db_url=f"sqlite:///{tmp_path}/celery.sqlite", port=port,
                          clouds_yaml=devcloud["clouds_yaml"], auth_url=devcloud["auth_url"],
                          password=devcloud["password"],
                          extra={"jobs": {"executor": "celery", "broker_url": BROKER,
                                          "celery_queue": queue}})
    db_upgrade(config)
    server = Server(config, port, tmp_path / "serve.log").start()
    workers = [Process(ALBATROSS + ["--config-file", config, "worker", "--concurrency", "1",
                                    "--name", f"w{i}@{queue}"], tmp_path / f"worker{i}.log")
               .start() for i in range(2)]
    try:
        demo = User(devcloud, "demo")
        demo.base_url = server.url
        names = [demo.new_keypair(regions[0], "celery")[0] for _ in range(12)]
        resp = demo.call("POST", "/v1/keypairs/sync", json={
            "source_region": regions[0], "target_regions": regions[1:], "keypairs": names})
        assert resp.status_code == 202, resp.text
        job = wait_job(demo, resp.json()["job"]["id"], timeout=180)
        assert job["status"] == "SUCCESS", (job, workers[0].log()[-2000:])
        owners = {t["result"]["worker"].split(":")[1] for t in job["tasks"]}
        assert len(owners) == 2, owners  # two worker processes (pids) did the work
        assert all(o.startswith("celery@") for o in
                   (t["result"]["worker"] for t in job["tasks"]))
    finally:
        for w in workers:
            w.stop()
        server.stop()
