"""Security group sync: G groups of R rules (IPv4 and IPv6, references to other groups and to
themselves) copied to 1 and to 3 target regions, as ratios from the same run; the same copy
made by a plain sequential openstacksdk script (one call per rule) as a baseline; and the API
calls an audit makes when nothing drifted.

    .venv/bin/python -m bench.secgroup_sync [--groups 50] [--rules 20] [--rounds 2]

Needs the dev cloud with 4 regions (`albatross devcloud up --regions 4`)."""
import argparse
import collections
import statistics
import tempfile
import time
from pathlib import Path
from unittest import mock

from keystoneauth1 import session as ks_session

from albatross import conf as albatross_conf
from albatross.db.policies import PolicyStore
from albatross.jobs.executor import TaskExecutor
from albatross.services import sync_policies
from albatross.services.runtime import Runtime
from tests.integration.conftest import wait_job
from tests.integration.projects import Project, connect_cloud
from tests.integration.server import start_albatross

TAG = "bench"


def rule_bodies(i: int, ids: list[str], rules: int) -> list[dict]:
    """Rule j of group i: IPv6 and IPv4 prefixes, the next group (a ring: every group is
    referenced), and the group itself."""
    n, out = len(ids), []
    for j in range(rules):
        body = {"security_group_id": ids[i], "direction": "ingress", "protocol": "tcp",
                "port_range_min": 1000 + j, "port_range_max": 1000 + j}
        kind = j % 4
        if kind == 0:
            body.update(ethertype="IPv6", remote_ip_prefix=f"2001:db8:{j:x}::/48")
        elif kind == 1:
            body.update(ethertype="IPv4", remote_ip_prefix=f"10.{j}.0.0/16")
        elif kind == 2:
            body.update(ethertype="IPv4", remote_group_id=ids[(i + 1) % n])
        else:
            body.update(ethertype="IPv4", remote_group_id=ids[i])
        out.append(body)
    return out


def build_source(net, groups: int, rules: int) -> list[str]:
    ids = [net.create_security_group(name=f"{TAG}-{i:03d}", description=f"bench {i}").id
           for i in range(groups)]
    for i, gid in enumerate(ids):
        net.set_tags(net.get_security_group(gid), [TAG])
        list(net.create_security_group_rules(rule_bodies(i, ids, rules)))
    return ids


def wipe(cloud: dict, project_id: str, regions: list[str]) -> None:
    """Remove the copies so that the next timed sync starts from an empty region."""
    for region in regions:
        net = cloud["conns"][region].network
        for g in list(net.security_groups(project_id=project_id)):
            if g.name.startswith(TAG):
                net.delete_security_group(g.id)


def timed_sync(member, source: str, targets: list[str]) -> float:
    t0 = time.perf_counter()
    resp = member.call("POST", "/v1/security-groups/sync", json={
        "source_region": source, "target_regions": targets, "tags": [TAG]})
    job = wait_job(member, resp.json()["job"]["id"], timeout=1800)
    assert job["status"] == "SUCCESS", [t["error"] for t in job["tasks"]]
    return time.perf_counter() - t0


def timed_plain_copy(member, source: str, target: str) -> float:
    """What a script does by hand: create each group, then each rule, translating ids."""
    t0 = time.perf_counter()
    src, dst = member.conn(source).network, member.conn(target).network
    groups = [g for g in src.security_groups(project_id=member.project_id)
              if g.name.startswith(TAG)]
    new = {g.id: dst.create_security_group(name=g.name, description=g.description).id
           for g in groups}
    for g in groups:
        for r in g.security_group_rules:
            if r["direction"] == "egress":
                continue  # Neutron made the default egress rules already
            dst.create_security_group_rule(
                security_group_id=new[g.id], direction=r["direction"],
                ethertype=r["ethertype"], protocol=r["protocol"],
                port_range_min=r["port_range_min"], port_range_max=r["port_range_max"],
                remote_ip_prefix=r["remote_ip_prefix"],
                remote_group_id=new.get(r["remote_group_id"]))
    return time.perf_counter() - t0


def counted_audit(config: str, policy_id: str) -> tuple[collections.Counter, float, int]:
    """Run an audit in this process (the server is stopped; tasks one after the other) and
    count every HTTP request the second one sends to OpenStack, by method."""
    conf = albatross_conf.load([], config_files=[config])
    rt = Runtime.from_conf(conf)
    executor = TaskExecutor(rt.store, rt.registry)
    calls: collections.Counter = collections.Counter()
    real = ks_session.Session.request

    def counting(self, url, method, *args, **kwargs):
        calls[method] += 1
        return real(self, url, method, *args, **kwargs)

    def one_audit():
        t0 = time.perf_counter()
        job_id = sync_policies._start_audit(rt, PolicyStore(rt.store.db_url).get(policy_id),
                                            "bench")
        for task in rt.store.get_job(job_id)[1]:
            [claim] = rt.store.claim("bench", 600, task_id=task.id)
            executor.run(claim)
        elapsed = time.perf_counter() - t0
        tasks = rt.store.get_job(job_id)[1]
        assert all(t.status == "SUCCESS" for t in tasks), [t.error for t in tasks]
        return elapsed, sum(t.result["writes"] for t in tasks)

    one_audit()  # warm-up: catalog, tokens, connections are not part of an audit pass
    with mock.patch.object(ks_session.Session, "request", counting):
        elapsed, writes = one_audit()
    return calls, elapsed, writes


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--groups", type=int, default=50)
    ap.add_argument("--rules", type=int, default=20)
    ap.add_argument("--rounds", type=int, default=2)
    args = ap.parse_args()
    cloud = connect_cloud()
    regions = cloud["regions"]
    if len(regions) < 4:
        raise SystemExit("needs a dev cloud with 4 or more regions")
    source, targets = regions[0], regions[1:4]
    tmp = Path(tempfile.mkdtemp(prefix="albatross-bench-"))
    project = Project(cloud)
    server = start_albatross(cloud, tmp, {"jobs": {"worker_threads": 8},
                                          "sync": {"audit_check_interval": 0}}, name="bench")
    try:
        for region in regions:
            cloud["conns"][region].network.update_quota(
                project.id, security_groups=args.groups + 10,
                security_group_rules=args.groups * (args.rules + 4) + 100)
        member = project.api_member(server.url)
        build_source(member.conn(source).network, args.groups, args.rules)
        one, three, plain = [], [], []
        for _ in range(args.rounds):
            wipe(cloud, project.id, targets)
            plain.append(timed_plain_copy(member, source, targets[0]))
            wipe(cloud, project.id, targets)
            one.append(timed_sync(member, source, targets[:1]))
            wipe(cloud, project.id, targets)
            three.append(timed_sync(member, source, targets))
        resp = member.call("POST", "/v1/sync-policies", json={
            "name": "bench", "resource_type": "security_group", "source_region": source,
            "target_regions": targets, "tags": [TAG], "enabled": False})
        policy_id = resp.json()["policy"]["id"]
    finally:
        server.stop()
    try:
        calls, audit_s, writes = counted_audit(server.config, policy_id)
    finally:
        project.destroy()
    t1, t3, tp = (statistics.median(x) for x in (one, three, plain))
    n_rules = args.groups * args.rules
    print(f"groups={args.groups} rules/group={args.rules} ({n_rules} rules) "
          f"rounds={args.rounds}")
    print(f"sync to 1 region:                {t1:7.2f} s (median)")
    print(f"sync to 3 regions:               {t3:7.2f} s (median)")
    print(f"plain SDK script to 1 region:    {tp:7.2f} s (median, one call per rule)")
    print(f"ratio 3 regions / 1 region:      {t3 / t1:7.2f}  (1.00 = perfect fan-out, 3.00 = "
          "serial)")
    print(f"ratio plain script / Albatross:  {tp / t1:7.2f}  (>1: Albatross is faster)")
    print(f"audit, no drift, 3 regions:      {sum(calls.values())} API calls "
          f"({dict(calls)}), {writes} writes, {audit_s:.2f} s (regions one after another)")


if __name__ == "__main__":
    main()
