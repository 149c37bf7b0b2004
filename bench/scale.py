"""Albatross's ceilings with many regions (issue 17, docs/scale.md): each piece of work
measured at N simulated regions (the region simulator behind its own real Keystone, one
`albatross serve` with its embedded worker on SQLite), with a tenant holding K keypairs and
G security groups in every region:

    health      GET /v1/regions, every endpoint of every region probed (cold)
    view        the global quota view of the tenant (every region read live), the first
    view-warm   ... and again (connections made, API versions known)
    keypairs    a keypair sync of S more keypairs to every other region (a job)
    secgroups   a security group sync of S more groups (2 rules each) to every region
    audit-kp    one drift-audit pass of a keypair sync policy (all K + S) over every region,
                the regions in step (the simulator copied the K there)
    audit-sg    the same for a security group policy: its first pass (adopting the copies
                it finds by name, so recording their mappings)
    audit-sg-2  ... and its next pass (nothing to adopt or repair)
    rebalance   the quota rebalance of P projects over every region (one job)
    addresses   the tenant's address inventory read from every region
    indicators  one indicator collection round (health, Placement, counts, projects)
    overview    the dashboard's overview page, as admin

For each: wall time, CPU seconds of the serve process, its peak RSS, threads and open
sockets, the rows in its database afterwards, and the cost per region. Ratios are against
the smallest N of the same run (per-region cost at N / per-region cost at the baseline).

    .venv/bin/python -m bench.scale --regions 10,100,1000 [--rtt-ms 0] [--keypairs 100]
        [--groups 100] [--sync 10] [--projects 1000] [--only view,keypairs] [--json out.json]

Needs the dev cloud's MariaDB and Keystone code (`albatross devcloud up`); starts the
simulator and its Keystone itself (`albatross devcloud sim`)."""
import argparse
import json
import tempfile
import time
from pathlib import Path

import requests

from albatross.db.jobs import JobStore
from albatross.db.quotas import QuotaStore
from albatross.db.work_queue import WorkQueue
from albatross.jobs.submit import submit
from albatross.quota.resources import RESOURCES
from bench import scale_env
from bench.dashboard_overview import login
from tests.integration.conftest import public_key

OPS = ("health", "view", "view-warm", "keypairs", "secgroups", "audit-kp", "audit-sg",
       "audit-sg-2", "rebalance", "addresses", "indicators", "overview")


def seed(env: scale_env.Env, keypairs: int, groups: int, sync: int) -> dict:
    """The tenant's K keypairs and G security groups (2 rules each) in the first region,
    made straight in the simulator (which reads no token: the owner is named in each
    request), then copied by the simulator into every region (the audits find them in
    step); then `sync` more of each in the first region only, for the syncs to copy."""
    conn = scale_env.member_connection(env, env.regions[0])
    user, project = env.member.user_id, env.member.project_id

    def make(prefix: str, count: int) -> tuple[list[str], list[str]]:
        names, group_names = [], []
        for i in range(count):
            conn.compute.create_keypair(name=f"{prefix}kp-{i:04d}", public_key=public_key(),
                                        user_id=user)
            names.append(f"{prefix}kp-{i:04d}")
        for i in range(count if prefix else groups):
            g = conn.network.create_security_group(name=f"{prefix}sg-{i:04d}",
                                                   description="bench", project_id=project)
            group_names.append(g.name)
            for port in (22, 443):
                conn.network.create_security_group_rule(
                    security_group_id=g.id, direction="ingress", ethertype="IPv4",
                    protocol="tcp", port_range_min=port, port_range_max=port,
                    remote_ip_prefix="10.0.0.0/8", project_id=project)
        return names, group_names

    make("", keypairs)
    requests.put(f"{env.sim['simulator']}/_sim/seed", json={"from": env.regions[0]},
                 timeout=600).raise_for_status()
    sync_keypairs, sync_groups = make("sync-", sync)
    net = conn.network.create_network(name="bench", project_id=project)
    conn.network.create_subnet(network_id=net.id, ip_version=4, cidr="10.1.0.0/24",
                               project_id=project)
    conn.network.create_port(network_id=net.id, project_id=project)
    return {"keypairs": sync_keypairs, "groups": sync_groups}


def _job(env, user, method, path, body) -> dict:
    resp = user.ok(method, path, json=body)
    job = user.wait_job(resp["job"]["id"])
    if job["status"] != "SUCCESS":
        raise RuntimeError(f"{path}: job {job['id']} {job['status']}: "
                           f"{json.dumps(job)[:800]}")
    return {"tasks": sum(job["task_counts"].values())}


def _looked_at(env, kind: str, key: str) -> dict:
    """Ask a controller for one run now and wait for that run's end."""
    since = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(time.time() - 1))
    WorkQueue(env.db_url).enqueue(kind, key)
    while True:
        items = env.admin.ok("GET", "/v1/work-items", params={"kind": kind, "key": key})
        done = [i for i in items["items"] if i["status"] == "idle"
                and (i["started_at"] or "") >= since]
        if done:
            return {"error": done[0]["last_error"]} if done[0]["last_error"] else {}
        time.sleep(0.1)


def _policy(env, resource_type: str) -> str:
    return env.member.ok("POST", "/v1/sync-policies", json={
        "name": f"bench-{resource_type}", "resource_type": resource_type, "all": True,
        "source_region": env.regions[0], "target_regions": "all",
        "interval": 604800})["policy"]["id"]


def run_op(op: str, env: scale_env.Env, ctx: dict, args) -> dict:
    member, admin, first = env.member, env.admin, env.regions[0]
    if op == "health":
        regions = admin.ok("GET", "/v1/regions")["regions"]
        return {"down": sum(1 for r in regions if r.get("status") != "up")}
    if op in ("view", "view-warm"):
        q = admin.ok("GET", f"/v1/projects/{member.project_id}/quotas")["quota"]
        return {"complete": q["complete"]}
    if op == "keypairs":
        return _job(env, member, "POST", "/v1/keypairs/sync", {
            "source_region": first, "target_regions": "all", "keypairs": ctx["keypairs"]})
    if op == "secgroups":
        return _job(env, member, "POST", "/v1/security-groups/sync", {
            "source_region": first, "target_regions": "all",
            "security_groups": ctx["groups"]})
    if op.startswith("audit-"):
        kind = "keypair" if op == "audit-kp" else "security_group"
        if f"policy-{kind}" not in ctx:   # audit-sg-2: the same policy's next pass
            ctx[f"policy-{kind}"] = _policy(env, kind)
        pid = ctx[f"policy-{kind}"]
        return _job(env, member, "POST", f"/v1/sync-policies/{pid}/audit", None)
    if op == "rebalance":
        store, projects = QuotaStore(env.db_url), ctx["projects"]
        # every resource held globally at the services' default per region, so that the
        # default security group Neutron makes in each region is not an overshoot
        limits = {r.name: r.default * env.n if r.default > 0 else r.default
                  for r in RESOURCES.values()}
        for p in projects:
            store.set_project(p, limits, {})
        job_id = submit(JobStore(env.db_url), lambda ids: None, kind="quota_rebalance",
                        project_id=admin.project_id, user_id="albatross", origin="bench",
                        params={"projects": projects},
                        tasks=[{"resource_type": "quota", "resource": p,
                                "source_region": "*", "target_region": "*"}
                               for p in projects])
        job = admin.wait_job(job_id)
        return {"projects": len(projects), "status": job["status"]}
    if op == "addresses":
        regions = member.ok("POST", f"/v1/projects/{member.project_id}/addresses/refresh")
        return {"failed": sum(1 for v in regions["regions"].values() if v != "ok")}
    if op == "indicators":
        return _looked_at(env, "indicator_collection", "all")
    if op == "overview":
        http = ctx.get("ui") or login(env.server.url, scale_env.PASSWORD)
        ctx["ui"] = http
        resp = http.get(env.server.url + "/ui/", timeout=3600)
        return {"status": resp.status_code, "bytes": len(resp.content)}
    raise ValueError(op)


def measure(n: int, args, tmp: Path) -> dict:
    env = scale_env.start(n, tmp, args.rtt_ms, extra={
        "regions": {"max_parallel": args.max_parallel}} if args.max_parallel else None)
    results = {}
    try:
        ctx = seed(env, args.keypairs, args.groups, args.sync)
        if "rebalance" in args.only:
            ctx["projects"] = scale_env.projects(env.sim, args.projects)
        idle = env.sampler.now()
        results["idle"] = {"rss": idle[0], "threads": idle[1], "sockets": idle[2]}
        for op in args.only:
            try:
                extra, sample = env.sampler.measure(lambda: run_op(op, env, ctx, args))
            except Exception as exc:   # a ceiling found is a result: recorded, not fatal
                results[op] = {"error": f"{type(exc).__name__}: {exc}"[:400]}
                print(f"  N={n:5d} {op:10s} FAILED {results[op]['error']}", flush=True)
                continue
            sample.rows, sample.extra = scale_env.db_rows(env.db_url), extra
            results[op] = vars(sample)
            print(f"  N={n:5d} {op:10s} {sample.wall:8.2f} s wall {sample.cpu:8.2f} s CPU "
                  f"{sample.peak_rss / 2**20:7.1f} MiB {sample.peak_threads:4d} threads "
                  f"{sample.peak_sockets:5d} sockets {sample.rows:7d} rows {extra}", flush=True)
        after = env.sampler.now()
        results["after"] = {"rss": after[0], "threads": after[1], "sockets": after[2]}
    finally:
        env.stop()
    return results


def report(all_results: dict[int, dict]) -> None:
    ns = sorted(all_results)
    base = ns[0]
    print(f"\nper-region cost, and its ratio to N={base} (1.00: cost grows linearly; <1: "
          "fixed costs amortized; >1: worse than linear)")
    for op in OPS:
        rows = [(n, all_results[n].get(op)) for n in ns]
        if not any(r and "wall" in r for _n, r in rows):
            continue
        b = all_results[base].get(op) or {}
        cells = []
        for n, r in rows:
            if not r or "wall" not in r:
                cells.append(f"N={n}: failed")
                continue
            per = r["wall"] / n * 1000
            ratio = f" ({per / (b['wall'] / base * 1000):.2f})" if "wall" in b else ""
            cells.append(f"N={n}: {per:.2f} ms/region{ratio}, {r['cpu'] / n * 1000:.2f} "
                         "ms CPU/region")
        print(f"{op:10s} " + "; ".join(cells))
    for n in ns:
        idle = all_results[n].get("idle", {})
        print(f"idle at N={n}: {idle.get('rss', 0) / 2**20:.1f} MiB, "
              f"{idle.get('threads')} threads, {idle.get('sockets')} sockets")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--regions", default="10,100,1000")
    ap.add_argument("--rtt-ms", type=float, default=0.0)
    ap.add_argument("--keypairs", type=int, default=100)
    ap.add_argument("--groups", type=int, default=100)
    ap.add_argument("--sync", type=int, default=10,
                    help="keypairs and groups the sync ops copy to every region")
    ap.add_argument("--projects", type=int, default=1000)
    ap.add_argument("--max-parallel", type=int, default=0,
                    help="[regions] max_parallel (0: Albatross's default)")
    ap.add_argument("--only", default=",".join(OPS))
    ap.add_argument("--json", help="write every figure here")
    args = ap.parse_args()
    args.only = [o for o in args.only.split(",") if o]
    unknown = set(args.only) - set(OPS)
    if unknown:
        raise SystemExit(f"unknown: {', '.join(sorted(unknown))}; known: {', '.join(OPS)}")
    tmp = Path(tempfile.mkdtemp(prefix="albatross-scale-"))
    results = {}
    for n in [int(x) for x in args.regions.split(",")]:
        print(f"N={n} regions (rtt {args.rtt_ms:g} ms): logs in {tmp}", flush=True)
        results[n] = measure(n, args, tmp)
        if args.json:
            Path(args.json).write_text(json.dumps({"args": vars(args), "results": results},
                                                  indent=1))
    report(results)


if __name__ == "__main__":
    main()
