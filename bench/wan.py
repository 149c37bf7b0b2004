"""Fan-out over a WAN (issue 17, docs/scale.md): with every simulated region R ms of round
trip away (and image data capped per region), how much longer does the same work take over N
regions than over one? The baseline runs in the same process against the same simulator:

    view        the global quota view: an Albatross of all regions vs one limited to one
                ([regions] only)
    keypairs    K keypairs synced to every other region vs to one
    secgroups   G security groups (2 rules each) synced to every other region vs to one
    image       an image of M MiB copied to every other region vs to one, each region's
                link capped at --mbps (one download streamed to the targets at once)

    .venv/bin/python -m bench.wan --regions 4,100,1000 --rtt-ms 50,150 [--keypairs 10]
        [--groups 10] [--image-mib 4] [--mbps 50] [--max-parallel 0] [--json out.json]

1.00 is a perfect fan-out; N would be one region after another."""
import argparse
import json
import os
import statistics
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

from bench import scale_env
from bench.scale import _job
from tests.integration.conftest import public_key

OPS = ("view", "keypairs", "secgroups", "image")
IMAGE_NAME = "wan"   # the source image; its copies keep the name


def seed(env: scale_env.Env, args) -> dict:
    conn = scale_env.member_connection(env, env.regions[0])
    user, project = env.member.user_id, env.member.project_id
    names = [f"kp-{i:03d}" for i in range(args.keypairs)]
    for name in names:
        conn.compute.create_keypair(name=name, public_key=public_key(), user_id=user)
    for i in range(args.groups):
        g = conn.network.create_security_group(name=f"sg-{i:03d}", project_id=project)
        for port in (22, 443):
            conn.network.create_security_group_rule(
                security_group_id=g.id, direction="ingress", ethertype="IPv4",
                protocol="tcp", port_range_min=port, port_range_max=port,
                remote_ip_prefix="10.0.0.0/8", project_id=project)
    image = conn.image.create_image(name=IMAGE_NAME, disk_format="raw", container_format="bare",
                                    owner=project, visibility="private",
                                    data=os.urandom(args.image_mib * 2**20))
    return {"keypairs": names, "image": image.id}


def _targets(env, n: int):
    return env.regions[1:n + 1]


def run(op: str, env: scale_env.Env, ctx: dict, targets: list[str], one: scale_env.Env):
    first = env.regions[0]
    # a list names at most 100 regions (the API's bound): every other region is "all"
    named = "all" if len(targets) == len(env.regions) - 1 else targets
    if op == "view":
        user = one.member if len(targets) == 1 else env.member
        return user.ok("GET", f"/v1/projects/{user.project_id}/quotas")
    if op == "keypairs":
        return _job(env, env.member, "POST", "/v1/keypairs/sync", {
            "source_region": first, "target_regions": named, "keypairs": ctx["keypairs"],
            "force": True})
    if op == "secgroups":
        return _job(env, env.member, "POST", "/v1/security-groups/sync", {
            "source_region": first, "target_regions": named, "all": True})
    if op == "image":
        return _job(env, env.member, "POST", "/v1/images/sync", {
            "source_region": first, "target_regions": named, "images": [ctx["image"]],
            "force": True})
    raise ValueError(op)


def _clear(env, op: str, targets: list[str], ctx: dict, rtt: float, mbps: float) -> None:
    """Each round copies anew: the targets lose what the last round made, straight in the
    simulator (which reads no token), at LAN speed and in parallel: clearing 1,000 regions
    one call after another at 150 ms would take longer than the work measured."""
    sim, user = env.sim["simulator"], env.member.user_id
    knobs(env, rtt_ms=0, bandwidth_mbps=0)
    with requests.Session() as http, ThreadPoolExecutor(16) as pool:
        if op == "keypairs":
            urls = [f"{sim}/{r}/compute/v2.1/os-keypairs/{name}?user_id={user}"
                    for r in targets for name in ctx["keypairs"]]
        else:   # a copy gets a new id once its first id was used (Glance never reuses one)
            urls = [url for found in pool.map(lambda r: _copies(http, sim, r), targets)
                    for url in found]
        list(pool.map(lambda url: http.delete(url, timeout=60), urls))
    knobs(env, rtt_ms=rtt, bandwidth_mbps=mbps)


def _copies(http, sim: str, region: str) -> list[str]:
    """The image copies the last round made in `region`, by the source image's name."""
    listed = http.get(f"{sim}/{region}/image/v2/images", params={"name": IMAGE_NAME},
                      timeout=60).json()["images"]
    return [f"{sim}/{region}/image/v2/images/{i['id']}" for i in listed
            if i.get("name") == IMAGE_NAME]


def knobs(env, **values) -> None:
    requests.put(f"{env.sim['simulator']}/_sim/regions/*", json=values, timeout=60)


def measure(n: int, rtt: float, args, tmp: Path) -> dict:
    extra = {"regions": {"max_parallel": args.max_parallel}} if args.max_parallel else {}
    env = scale_env.start(n + 1, tmp, 0.0, extra=extra)
    one = scale_env.start_server(env, tmp, "one", {"regions": {"only": env.regions[0]}})
    out = {}
    try:
        ctx = seed(env, args)   # at LAN speed: the rounds below are what is measured
        knobs(env, rtt_ms=rtt, bandwidth_mbps=args.mbps)
        for op in args.only:
            times = {1: [], n: []}
            for _ in range(args.rounds):
                for count in (1, n):
                    targets = _targets(env, count)
                    if op in ("keypairs", "image"):
                        _clear(env, op, targets, ctx, rtt, args.mbps)
                    t0 = time.perf_counter()
                    run(op, env, ctx, targets, one)
                    times[count].append(time.perf_counter() - t0)
            t1, tn = statistics.median(times[1]), statistics.median(times[n])
            out[op] = {"one": t1, "all": tn, "ratio": tn / t1}
            print(f"  rtt {rtt:g} ms N={n:5d} {op:10s} 1 region {t1:7.2f} s, {n} regions "
                  f"{tn:7.2f} s: ratio {tn / t1:6.2f}", flush=True)
    finally:
        one.stop()
        env.stop()
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--regions", default="4,100,1000")
    ap.add_argument("--rtt-ms", default="50,150")
    ap.add_argument("--keypairs", type=int, default=10)
    ap.add_argument("--groups", type=int, default=10)
    ap.add_argument("--image-mib", type=int, default=4)
    ap.add_argument("--mbps", type=float, default=50.0)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--max-parallel", type=int, default=0)
    ap.add_argument("--only", default=",".join(OPS))
    ap.add_argument("--json")
    args = ap.parse_args()
    args.only = [o for o in args.only.split(",") if o]
    tmp = Path(tempfile.mkdtemp(prefix="albatross-wan-"))
    results = {}
    for rtt in [float(x) for x in args.rtt_ms.split(",")]:
        for n in [int(x) for x in args.regions.split(",")]:
            print(f"rtt {rtt:g} ms, N={n}: logs in {tmp}", flush=True)
            results[f"{rtt:g}/{n}"] = measure(n, rtt, args, tmp)
            if args.json:
                Path(args.json).write_text(json.dumps({"args": vars(args),
                                                       "results": results}, indent=1))


if __name__ == "__main__":
    main()
