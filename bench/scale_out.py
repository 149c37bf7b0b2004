"""Scale-out on the engines already chosen (issue 17 step 5, docs/scale.md): N simulated
regions, two `albatross serve` processes and Celery workers on PostgreSQL and RabbitMQ.

    throughput  one drift-audit pass of a keypair policy over every region with 1 worker,
                then with 2 (each `--concurrency` threads): wall time and the ratio
    periodic    both servers' resync loops for --periodic-seconds with the indicator round
                due every 10 s: how many rounds ran and the time between them (once per
                interval at most, never once per process; a round over 1,000 regions
                takes longer than 10 s, so the next is due as soon as it ends)
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

import psutil
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


def workers(env, tmp: Path, count: int, concurrency: int, queue: str,
            config: str | None = None) -> list[Process]:
    config = config or env.server.config
    names = [f"w{i}-{uuid.uuid4().hex[:4]}" for i in range(count)]
    return [Process(ALBATROSS + ["--config-file", config, "worker", "--concurrency",
                                 str(concurrency), "--name", f"{name}@{queue}"],
                    tmp / f"{name}.log",
                    env={"OS_CLIENT_CONFIG_FILE": env.sim["bench_clouds_yaml"]}).start()
            for name in names]


def _cpu(processes: list[Process]) -> list[float]:
    """CPU seconds each worker process has used so far."""
    return [sum(psutil.Process(p.proc.pid).cpu_times()[:2]) for p in processes]


def _busy() -> float:
    """CPU seconds every process of the machine has used so far (all cores)."""
    t = psutil.cpu_times()
    return t.user + t.system + getattr(t, "nice", 0.0)


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
    ap.add_argument("--periodic-seconds", type=float, default=180.0)
    ap.add_argument("--json")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="albatross-scaleout-"))
    db_url, drop = database()
    queue = f"albatross-scale-{uuid.uuid4().hex[:6]}"
    # no periodic work while the audits are timed: an indicator round over 1,000 regions
    # costs a worker about as much CPU as the audit itself
    celery = {"jobs": {"executor": "celery", "broker_url": BROKER, "celery_queue": queue},
              "database": {"connection": db_url}, "indicators": {"collect_interval": 0}}
    out = {"regions": args.regions}
    env = scale_env.start(args.regions, tmp, extra=celery)
    second = scale_env.start_server(env, tmp, "second", celery)
    running: list[Process] = []
    loops: list[scale_env.Env] = []   # the periodic phase's servers
    try:
        ctx = scale.seed(env, args.keypairs, 0, 0)
        # throughput: 1 worker, then 2
        for count in (1, 2):
            running += workers(env, tmp, count, args.concurrency, queue)
            time.sleep(5)   # the workers join the queue
            cpu0, busy0 = _cpu(running), _busy()
            t0 = time.perf_counter()
            scale.run_op("audit-kp", env, ctx, Args)
            out[f"audit_{count}_worker"] = wall = time.perf_counter() - t0
            cpu = [b - a for a, b in zip(cpu0, _cpu(running))]
            busy = (_busy() - busy0) / wall / psutil.cpu_count()
            out[f"audit_{count}_worker_cpu"], out[f"audit_{count}_machine_busy"] = cpu, busy
            print(f"audit of {args.regions} regions x {args.keypairs} keypairs, {count} "
                  f"worker(s) x {args.concurrency} threads: {wall:.1f} s; CPU seconds per "
                  f"worker {', '.join(f'{c:.1f}' for c in cpu)}; the machine's cores "
                  f"{busy:.0%} busy", flush=True)
            for w in running:
                w.stop()
            running = []
        out["worker_ratio"] = out["audit_1_worker"] / out["audit_2_worker"]
        print(f"2 workers / 1 worker throughput: {out['worker_ratio']:.2f}x", flush=True)

        # a worker killed mid-pass
        names = [f"crash-sg-{i}" for i in range(args.groups)]
        conn = scale_env.member_connection(env, env.regions[0])
        for n in names:
            conn.network.create_security_group(name=n, project_id=env.member.project_id)
        job = env.member.ok("POST", "/v1/security-groups/sync", json={
            "source_region": env.regions[0], "target_regions": "all",
            "security_groups": names})["job"]
        running += workers(env, tmp, 2, args.concurrency, queue)
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

        # periodic work: two servers' loops, one round per interval
        for w in running:
            w.stop()
        periodic = {**celery, "indicators": {"collect_interval": 10}}
        loops = [scale_env.start_server(env, tmp, f"periodic{i}", periodic) for i in (1, 2)]
        running = workers(env, tmp, 2, args.concurrency, queue, loops[0].server.config)
        before = set(IndicatorStore(db_url).round_times())
        time.sleep(args.periodic_seconds)
        taken = sorted(set(IndicatorStore(db_url).round_times()) - before)
        gaps = [(b - a).total_seconds() for a, b in zip(taken, taken[1:])]
        out["indicator_rounds"], out["periodic_seconds"] = len(taken), args.periodic_seconds
        out["round_gaps"] = gaps
        # once per interval: a round per process would show as rounds taken moments apart
        print(f"indicator rounds in {args.periodic_seconds:g} s with 2 servers, 2 workers "
              f"and a 10 s interval: {len(taken)}, seconds between them: "
              f"{', '.join(f'{g:.1f}' for g in gaps) or '-'}", flush=True)
    finally:
        for w in running:
            w.stop()
        for server in loops:
            server.stop()
        second.stop()
        env.stop()
        drop()
    if args.json:
        Path(args.json).write_text(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
