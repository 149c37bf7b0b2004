"""Scale-out on the engines already chosen (issue 17 step 5, docs/scale.md): N simulated
regions, two `albatross serve` processes and Celery workers on PostgreSQL and RabbitMQ.

    throughput  one drift-audit pass of a keypair policy over every region with 1 worker,
                then with 2 (each `--concurrency` threads): wall time and the ratio
    periodic    both servers' resync loops for --periodic-seconds with the indicator round
                every 10 s: how many rounds ran (once per interval, not once per process)
    crash       a security group sync of G new groups to every region; one of the two
                workers is killed (SIGKILL) mid-pass: the job still ends SUCCESS, and every
                region holds each group exactly once (nothing lost, nothing duplicated)

    .venv/bin/python -m bench.scale_out [--regions 1000] [--concurrency 4] [--json out.json]

Needs PostgreSQL on 127.0.0.1:5432 and RabbitMQ on 5672 (as the test suite does)."""
import argparse
import json
import signal
import tempfile
import time
import uuid
from pathlib import Path

import requests
import sqlalchemy as sa

from albatross.db.indicators import IndicatorStore
from bench import scale, scale_env
from tests.integration.server import ALBATROSS, Process

PG_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
BROKER = "amqp://guest:guest@127.0.0.1:5672//"


class Args:
    projects = 0


def database() -> tuple[str, callable]:
    name = f"albatross_scale_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.exec_driver_sql(f"CREATE DATABASE {name}")

    def drop():
        with admin.connect() as c:
            c.exec_driver_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    return PG_ADMIN.rsplit("/", 1)[0] + f"/{name}", drop


def workers(env, tmp: Path, count: int, concurrency: int, queue: str) -> list[Process]:
    config = env.server.config
    names = [f"w{i}-{uuid.uuid4().hex[:4]}" for i in range(count)]
    return [Process(ALBATROSS + ["--config-file", config, "worker", "--concurrency",
                                 str(concurrency), "--name", f"{name}@{queue}"],
                    tmp / f"{name}.log",
                    env={"OS_CLIENT_CONFIG_FILE": env.sim["bench_clouds_yaml"]}).start()
            for name in names]


def groups_per_region(env, names: list[str]) -> dict[str, list[int]]:
    """How many groups of each of `names` every target region holds (read from the
    simulator itself, which reads no token)."""
    sim, project = env.sim["simulator"], env.member.project_id
    counts = {}
    for region in env.regions[1:]:
        listed = requests.get(f"{sim}/{region}/network/v2.0/security-groups",
                              params={"project_id": project}, timeout=60).json()
        there = [g["name"] for g in listed["security_groups"]]
        counts[region] = [there.count(n) for n in names]
    return counts


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--regions", type=int, default=1000)
    ap.add_argument("--concurrency", type=int, default=4)
    ap.add_argument("--keypairs", type=int, default=100)
    ap.add_argument("--groups", type=int, default=10)
    ap.add_argument("--periodic-seconds", type=float, default=45.0)
    ap.add_argument("--json")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="albatross-scaleout-"))
    db_url, drop = database()
    queue = f"albatross-scale-{uuid.uuid4().hex[:6]}"
    celery = {"jobs": {"executor": "celery", "broker_url": BROKER, "celery_queue": queue},
              "database": {"connection": db_url},
              "indicators": {"collect_interval": 10}}
    out = {"regions": args.regions}
    env = scale_env.start(args.regions, tmp, extra=celery)
    second = scale_env.start_server(env, tmp, "second", celery)
    running: list[Process] = []
    try:
        ctx = scale.seed(env, args.keypairs, 0, 0)
        # throughput: 1 worker, then 2
        for count in (1, 2):
            running += workers(env, tmp, count, args.concurrency, queue)
            time.sleep(5)   # the workers join the queue
            t0 = time.perf_counter()
            scale.run_op("audit-kp", env, ctx, Args)
            out[f"audit_{count}_worker"] = wall = time.perf_counter() - t0
            print(f"audit of {args.regions} regions x {args.keypairs} keypairs, {count} "
                  f"worker(s) x {args.concurrency} threads: {wall:.1f} s", flush=True)
            for w in running:
                w.stop()
            running = []
        out["worker_ratio"] = out["audit_1_worker"] / out["audit_2_worker"]
        print(f"2 workers / 1 worker throughput: {out['worker_ratio']:.2f}x", flush=True)

        # periodic work: two servers' loops, one round per interval
        running += workers(env, tmp, 2, args.concurrency, queue)
        rounds_before = len(IndicatorStore(db_url).round_times())
        time.sleep(args.periodic_seconds)
        rounds = len(IndicatorStore(db_url).round_times()) - rounds_before
        out["indicator_rounds"], out["periodic_seconds"] = rounds, args.periodic_seconds
        print(f"indicator rounds in {args.periodic_seconds:g} s with 2 servers, 2 workers "
              f"and a 10 s interval: {rounds}", flush=True)

        # a worker killed mid-pass
        names = [f"crash-sg-{i}" for i in range(args.groups)]
        conn = scale_env.member_connection(env, env.regions[0])
        for n in names:
            conn.network.create_security_group(name=n, project_id=env.member.project_id)
        job = env.member.ok("POST", "/v1/security-groups/sync", json={
            "source_region": env.regions[0], "target_regions": "all",
            "security_groups": names})["job"]
        time.sleep(3)
        running[0].kill(signal.SIGKILL)
        done = env.member.wait_job(job["id"])
        counts = groups_per_region(env, names)
        out["crash"] = {"status": done["status"], "task_counts": done["task_counts"],
                        "regions_with_each_group_once": sum(
                            1 for c in counts.values() if set(c) == {1}),
                        "most_copies_of_a_group": max(max(c) for c in counts.values()),
                        "regions": len(counts)}
        print(f"a worker killed mid-pass: job {done['status']} {done['task_counts']}, "
              f"{out['crash']['regions_with_each_group_once']} of {len(counts)} regions "
              f"hold each group exactly once", flush=True)
    finally:
        for w in running:
            w.stop()
        second.stop()
        env.stop()
        drop()
    if args.json:
        Path(args.json).write_text(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
