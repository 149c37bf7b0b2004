"""Quota rebalance at scale: P projects, every resource, every region of the dev cloud.

What a periodic rebalance costs: the QuotaReconciler runs in-process for each of P throwaway
projects on a pool of 8 threads (as `[jobs] worker_threads = 8`), sharing one RegionRegistry
(as one worker does). Every HTTP request to OpenStack is counted (keystoneauth's
Session.request), per service and per method, so the report says how many calls a project
costs, first pass (writes the limits) and second pass right after (nothing to change: reads
only, the steady state). Baseline from the same run: B other projects rebalanced alone, one
after the other, half before and half after the pool (the machine is shared: drift cancels);
the speed-up is pooled throughput times the median time of a project alone.

Another Albatross with a periodic rebalance on the same cloud rewrites these projects with
its own (default) limits: the second pass then writes again ("projects written" says so).

    .venv/bin/python -m bench.quota_rebalance [--projects 1000] [--baseline 10]

Leaves the dev cloud clean: the projects and their quota rows in every region are deleted."""
import argparse
import collections
import dataclasses
import statistics
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlsplit

import openstack
import openstack.config
from keystoneauth1 import session as ks_session

from albatross.db import locks, migrate
from albatross.db.quotas import QuotaStore
from albatross.devcloud import DevCloud
from albatross.reconcilers.base import TaskContext
from albatross.reconcilers.quotas import QuotaReconciler
from albatross.regions.registry import RegionRegistry

LIMITS = {"network": 10, "cores": 8, "volumes": 4}
READS = {"GET", "HEAD"}


class CallCounter:
    """Counts every keystoneauth request, and the seconds spent in it, by (service, method),
    and the statuses. The service is the catalog type openstacksdk asked for (the URL's port
    for the absolute URLs of token requests)."""

    def __init__(self, info: dict):
        self.ports = {5000: "identity"}
        for endpoints in info["endpoints"].values():
            for service, url in endpoints.items():
                self.ports[urlsplit(url).port] = service
        self.lock = threading.Lock()
        self.calls: collections.Counter = collections.Counter()
        self.seconds: collections.Counter = collections.Counter()
        self.statuses: collections.Counter = collections.Counter()
        self._orig = ks_session.Session.request

    def install(self):
        counter, orig = self, self._orig

        def request(session, url, method, *args, **kwargs):
            service = ((kwargs.get("endpoint_filter") or {}).get("service_type")
                       or counter.ports.get(urlsplit(url).port, "other"))
            status, t0 = "exception", time.perf_counter()
            try:
                resp = orig(session, url, method, *args, **kwargs)
                status = resp.status_code
                return resp
            except Exception as exc:
                status = getattr(exc, "http_status", None) or type(exc).__name__
                raise
            finally:
                key = (service, method.upper())
                with counter.lock:
                    counter.calls[key] += 1
                    counter.seconds[key] += time.perf_counter() - t0
                    counter.statuses[status] += 1
        ks_session.Session.request = request

    def snapshot(self):
        with self.lock:
            return tuple(collections.Counter(c) for c in (self.calls, self.seconds,
                                                          self.statuses))


def rebalance(registry, db_url: str, pid: str):
    """One project, as a worker's task does (holding the project's lock, as the executor
    does); returns (seconds, error or None, wrote)."""
    reconciler = QuotaReconciler()
    ctx = TaskContext(registry, resource=pid, source_region="*", target_region="*",
                      force=False, payload={}, project_id=pid, user_id="bench",
                      task_id="bench", db_url=db_url, options={"quota_policy": "strict"})
    t0 = time.perf_counter()
    try:
        lock = reconciler.lock(ctx)
        with locks.held(db_url, lock.name, f"bench-{pid}", lock.ttl) as lease:
            outcome = reconciler.reconcile(dataclasses.replace(ctx, lease=lease))
        return time.perf_counter() - t0, None, outcome.written
    except Exception as exc:  # reported, not fatal: the count of failures is a result too
        return time.perf_counter() - t0, f"{type(exc).__name__}: {exc}"[:200], None


def measure(label, counter, fn, pids, threads):
    """Run fn over pids (sequentially if threads == 1); print time, rate and calls/project."""
    before = counter.snapshot()
    t0 = time.perf_counter()
    with ThreadPoolExecutor(threads) as pool:
        results = list(pool.map(fn, pids))
    wall = time.perf_counter() - t0
    calls, seconds, statuses = (a - b for a, b in zip(counter.snapshot(), before))
    reads = sum(v for (_s, m), v in calls.items() if m in READS)
    writes = sum(calls.values()) - reads
    errors = collections.Counter(e for _t, e, _w in results if e)
    wrote = sum(1 for _t, _e, w in results if w)
    lat = [t for t, _e, _w in results]
    n = len(pids)
    print(f"\n{label}: {n} projects, {threads} thread(s)")
    print(f"  wall {wall:8.2f} s   {n / wall:6.2f} projects/s   latency median "
          f"{statistics.median(lat) * 1000:.0f} ms, max {max(lat) * 1000:.0f} ms")
    print(f"  calls/project {sum(calls.values()) / n:6.2f}  (reads {reads / n:.2f}, "
          f"writes {writes / n:.2f})  errors {sum(errors.values())}, "
          f"projects written {wrote}")
    for (service, method), v in sorted(calls.items()):
        print(f"    {service:>14} {method:<6} {v / n:5.2f}/project, "
              f"{seconds[service, method] / v * 1000:6.0f} ms mean")
    print(f"  HTTP statuses: {dict(statuses)}")
    for err, count in errors.most_common(3):
        print(f"  error x{count}: {err}")
    return {"wall": wall, "rate": n / wall, "lat": lat, "reads": reads / n,
            "writes": writes / n, "wrote": wrote, "errors": sum(errors.values())}


def cleanup(info, admin_conns, pids):
    """Quota rows in every region, then the project; concurrently, every error reported."""
    idn = admin_conns[info["regions"][0]].identity

    def one(pid):
        for conn in admin_conns.values():
            conn.compute.revert_quota_set(pid)
            conn.block_storage.revert_quota_set(pid)
            conn.network.delete_quota(pid)
        idn.delete_project(pid, ignore_missing=True)

    with ThreadPoolExecutor(8) as pool:
        futures = [pool.submit(one, pid) for pid in pids]
    failed = [f.exception() for f in futures if f.exception()]
    print(f"\ncleanup: {len(pids) - len(failed)}/{len(pids)} projects deleted"
          + (f"; first error: {failed[0]!r}" if failed else ""))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--projects", type=int, default=1000)
    ap.add_argument("--baseline", type=int, default=10)
    ap.add_argument("--threads", type=int, default=8)
    args = ap.parse_args()
    info = DevCloud().info()  # whatever dev cloud is running: all its regions
    config = openstack.config.OpenStackConfig(config_files=[info["clouds_yaml"]])
    admin_conns = {r: openstack.connection.Connection(
        config=config.get_one(cloud="devcloud-admin", region_name=r)) for r in info["regions"]}
    idn = admin_conns[info["regions"][0]].identity
    run = uuid.uuid4().hex[:6]
    total = 1 + args.baseline + args.projects   # warm-up, baseline, pooled
    t0 = time.perf_counter()
    with ThreadPoolExecutor(8) as pool:
        futures = [pool.submit(idn.create_project, name=f"qb-{run}-{i}", domain_id="default")
                   for i in range(total)]
    pids = [f.result().id for f in futures if f.exception() is None]
    print(f"created {len(pids)}/{total} projects qb-{run}-* in {time.perf_counter() - t0:.1f} s;"
          f" regions: {', '.join(info['regions'])}")
    try:
        if len(pids) < total:
            first = next(f.exception() for f in futures if f.exception())
            raise SystemExit(f"project creation failed: {first!r}")
        tmp = Path(tempfile.mkdtemp(prefix="albatross-bench-"))
        db_url = f"sqlite:///{tmp}/bench.sqlite"
        migrate.upgrade(db_url)
        store = QuotaStore(db_url)
        for pid in pids:
            store.set_project(pid, LIMITS, {})
        counter = CallCounter(info)
        counter.install()
        registry = RegionRegistry(cloud="devcloud-albatross", clouds_yaml=info["clouds_yaml"])
        registry.names()
        fn = lambda pid: rebalance(registry, db_url, pid)  # noqa: E731
        half = args.baseline // 2
        warm, base_a, base_b = pids[0], pids[1:1 + half], pids[1 + half:1 + args.baseline]
        pooled = pids[1 + args.baseline:]
        fn(warm)  # warm-up: token, catalog, connections
        summary = {}
        for name in ("first pass", "second pass"):  # alone before AND after: drift cancels
            a = measure(f"alone, before the pool, {name}", counter, fn, base_a, 1)
            p = measure(f"pooled, {name}", counter, fn, pooled, args.threads)
            b = measure(f"alone, after the pool, {name}", counter, fn, base_b, 1)
            summary[name] = (statistics.median(a["lat"] + b["lat"]), p)
        print(f"\n{'':30}{'first pass':>14}{'second pass':>14}")
        rows = [("alone: s per project (median)", lambda al, p: f"{al:.3f}"),
                ("pooled: projects/s", lambda al, p: f"{p['rate']:.2f}"),
                ("pooled: total s", lambda al, p: f"{p['wall']:.1f}"),
                ("pooled: latency median s", lambda al, p: f"{statistics.median(p['lat']):.2f}"),
                (f"speed-up ({args.threads} = linear)", lambda al, p: f"{p['rate'] * al:.2f}"),
                ("pooled calls/project r + w",
                 lambda al, p: f"{p['reads']:.1f} + {p['writes']:.1f}"),
                ("pooled projects written", lambda al, p: f"{p['wrote']}"),
                ("pooled errors", lambda al, p: f"{p['errors']}")]
        for label, cell in rows:
            print(f"{label:30}" + "".join(f"{cell(*summary[k]):>14}" for k in summary))
    finally:
        cleanup(info, admin_conns, pids)


if __name__ == "__main__":
    main()
