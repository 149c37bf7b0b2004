"""The cost of acting through a user's trust instead of the admin account: one keypair sync
job (K keypairs to 3 regions), run in this process by the keypair reconciler with (a) the
service account, as Albatross wrote before issue 14, and (b) what a job does now: a trust
made with the user's token, a token through it (one per job, cached for the job's tasks),
then the same writes. Prints each part and the ratio of (b) to (a), from the same run.

    .venv/bin/python -m bench.trust_cost [--keypairs 5] [--rounds 5]

Needs the dev cloud with at least 4 regions (a source and 3 targets), or 3 (2 targets)."""
import argparse
import statistics
import time

from albatross.devcloud import DevCloud
from albatross.reconcilers.base import TaskContext
from albatross.reconcilers.keypairs import KeypairReconciler
from albatross.regions.delegation import Authority
from albatross.regions.registry import RegionRegistry
from tests.integration.conftest import User


def run_job(regions, user_id: str, project_id: str, names, targets, source) -> float:
    """Every (keypair, target) task of one job, as the worker runs them (force: re-written)."""
    reconciler = KeypairReconciler()
    t0 = time.perf_counter()
    for name in names:
        for target in targets:
            ctx = TaskContext(regions, name, source, target, True, {}, project_id, user_id,
                              f"bench-{name}-{target}")
            reconciler.reconcile(ctx)
    return time.perf_counter() - t0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--keypairs", type=int, default=5)
    ap.add_argument("--rounds", type=int, default=5)
    args = ap.parse_args()
    info = DevCloud().info()
    regions = info["regions"]
    source, targets = regions[0], regions[1:4]
    registry = RegionRegistry(cloud="devcloud-albatross", clouds_yaml=info["clouds_yaml"])
    demo = User(info, "demo")
    names = [demo.new_keypair(source, "trustbench")[0] for _ in range(args.keypairs)]
    token = Authority(demo.user_id, demo.project_id, token=demo.token)
    run_job(registry, demo.user_id, demo.project_id, names, targets, source)  # warm-up
    admin, made, first_token, through = [], [], [], []
    for _ in range(args.rounds):
        admin.append(run_job(registry, demo.user_id, demo.project_id, names, targets, source))
        t0 = time.perf_counter()
        trust_id = registry.create_trust(token, ["member", "reader"])
        made.append(time.perf_counter() - t0)
        authority = Authority(demo.user_id, demo.project_id, trust_id=trust_id)
        t0 = time.perf_counter()
        registry.user_sessions().session(authority)  # the job's one token
        first_token.append(time.perf_counter() - t0)
        through.append(run_job(registry.acting_for(authority), demo.user_id,
                               demo.project_id, names, targets, source))
        registry.delete_trust(trust_id)
    for name in names:
        for region in regions:
            demo.conn(region).compute.delete_keypair(name, ignore_missing=True)
    med = statistics.median
    job_admin = med(admin)
    job_trust = med(made) + med(first_token) + med(through)
    print(f"keypair sync, {args.keypairs} keypairs x {len(targets)} regions, "
          f"{args.rounds} rounds (medians)")
    print(f"  admin path, whole job          {job_admin * 1000:8.1f} ms")
    print(f"  trust: make the trust          {med(made) * 1000:8.1f} ms  (in the request)")
    print(f"  trust: the job's token         {med(first_token) * 1000:8.1f} ms  (once per job)")
    print(f"  trust: the tasks               {med(through) * 1000:8.1f} ms")
    print(f"  tasks through trust / admin    {med(through) / job_admin:8.2f}x")
    print(f"  whole job through trust / admin {job_trust / job_admin:7.2f}x")


if __name__ == "__main__":
    main()
