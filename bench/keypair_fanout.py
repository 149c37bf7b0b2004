"""Keypair fan-out: how the time to clone K keypairs grows with the number of target regions.

Baselines from the same run: (a) the same job to ONE target region, (b) a plain sequential
openstacksdk loop doing the same copies by hand. Prints ratios, not absolute claims.

    .venv/bin/python -m bench.keypair_fanout [--keypairs 20] [--rounds 3]

Needs the dev cloud with at least 3 regions (`albatross devcloud up --regions 3`)."""
import argparse
import statistics
import tempfile
import time
from pathlib import Path

from albatross.devcloud import DevCloud
from tests.integration.conftest import User, wait_job
from tests.integration.server import start_albatross


def timed_job(user: User, source: str, targets: list[str], names: list[str]) -> float:
    t0 = time.perf_counter()
    job_id = user.call("POST", "/v1/keypairs/sync", json={
        "source_region": source, "target_regions": targets, "keypairs": names,
        "force": True}).json()["job"]["id"]
    job = wait_job(user, job_id, timeout=600)
    assert job["status"] == "SUCCESS", job
    return time.perf_counter() - t0


def timed_plain_loop(user: User, source: str, targets: list[str], names: list[str]) -> float:
    """What a script would do without Albatross: read each key, write it region by region."""
    t0 = time.perf_counter()
    for name in names:
        kp = user.conn(source).compute.get_keypair(name)
        for region in targets:
            user.conn(region).compute.delete_keypair(name, ignore_missing=True)
            user.conn(region).compute.create_keypair(name=name, public_key=kp.public_key)
    return time.perf_counter() - t0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--keypairs", type=int, default=20)
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    info = DevCloud().info()  # whatever dev cloud is running
    regions = info["regions"]
    if len(regions) < 3:
        raise SystemExit("needs a dev cloud with 3 or more regions")
    tmp = Path(tempfile.mkdtemp(prefix="albatross-bench-"))
    server = start_albatross(info, tmp, {"jobs": {"worker_threads": 8}}, name="bench")
    try:
        demo = User(info, "demo")
        demo.base_url = server.url
        source, targets = regions[0], regions[1:]
        names = [demo.new_keypair(source, "bench")[0] for _ in range(args.keypairs)]
        timed_job(demo, source, targets, names)  # warm-up: connections, token caches
        one, many, plain = [], [], []
        for _ in range(args.rounds):
            one.append(timed_job(demo, source, targets[:1], names))
            many.append(timed_job(demo, source, targets, names))
            plain.append(timed_plain_loop(demo, source, targets, names))
        t1, tn, tp = (statistics.median(x) for x in (one, many, plain))
        print(f"keypairs={args.keypairs} rounds={args.rounds} targets={len(targets)}")
        print(f"job to 1 region:            {t1:6.2f} s (median)")
        print(f"job to {len(targets)} regions:           {tn:6.2f} s (median)")
        print(f"plain sequential SDK loop:  {tp:6.2f} s (median, {len(targets)} regions)")
        print(f"ratio {len(targets)} regions / 1 region:  {tn / t1:5.2f}  (1.00 = perfect fan-out, "
              f"{len(targets):.2f} = serial)")
        print(f"ratio plain loop / Albatross: {tp / tn:5.2f}  (>1: Albatross is faster)")
    finally:
        server.stop()


if __name__ == "__main__":
    main()
