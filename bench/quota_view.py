"""Global quota view: how the time of `GET /v1/projects/{id}/quotas` grows with the regions.

The view reads Nova, Cinder, Neutron and the key pair counts of every region concurrently, so
on independent regions it should cost about one region's read. Baseline from the same run: the
same request to an Albatross limited to ONE region (`[regions] only`). One `albatross serve`
per region count, all against the same dev cloud; the rounds are interleaved (1, 2, 4 regions,
then again) so that drift on the shared machine hits every count alike. Median and p90 of the
rounds, after a warm-up.

    .venv/bin/python -m bench.quota_view [--rounds 20]

Brings the dev cloud up to 4 regions if it has fewer (`DevCloud(regions=4).up()`: only adds)."""
import argparse
import statistics
import tempfile
import time
from pathlib import Path

from albatross.devcloud import DevCloud
from tests.integration.conftest import User
from tests.integration.server import Server, start_albatross

COUNTS = (1, 2, 4)


def start_server(info: dict, tmp: Path, regions: list[str], name: str | None = None,
                 extra: dict | None = None) -> Server:
    """An `albatross serve` that manages only `regions` (its own SQLite, its own port);
    `extra`: more config sections, merged with [regions]."""
    sections = dict(extra or {})
    sections["regions"] = {"only": ",".join(regions), **sections.get("regions", {})}
    return start_albatross(info, tmp, sections, name=name or f"r{len(regions)}")


def timed_view(user: User, base_url: str, nregions: int) -> float:
    user.base_url = base_url
    t0 = time.perf_counter()
    resp = user.call("GET", f"/v1/projects/{user.project_id}/quotas")
    elapsed = time.perf_counter() - t0
    assert resp.status_code == 200, resp.text
    body = resp.json()
    body = body["quota"]
    assert body["complete"] and len(body["regions"]) == nregions, body["regions"]
    return elapsed


def p90(values: list[float]) -> float:
    return statistics.quantiles(values, n=10, method="inclusive")[-1]


def print_ratios(times: dict[int, list[float]], note) -> None:
    """Median, p90 and min per region count, and the median's ratio to 1 region;
    `note(n)`: what the ratio is measured against."""
    base = statistics.median(times[1])
    print(f"{'regions':>7} {'median':>9} {'p90':>9} {'min':>9}  ratio to 1 region")
    for n, values in times.items():
        med = statistics.median(values)
        print(f"{n:>7} {med * 1000:7.1f}ms {p90(values) * 1000:7.1f}ms "
              f"{min(values) * 1000:7.1f}ms  {med / base:5.2f}  {note(n)}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=20)
    args = ap.parse_args()
    info = DevCloud(regions=4).up()
    regions = info["regions"][:max(COUNTS)]
    tmp = Path(tempfile.mkdtemp(prefix="albatross-bench-"))
    servers: dict[int, Server] = {}
    try:
        for n in COUNTS:
            servers[n] = start_server(info, tmp, regions[:n])
        demo = User(info, "demo")
        for n, server in servers.items():  # warm-up: connections, tokens, catalog
            for _ in range(2):
                timed_view(demo, server.url, n)
        times: dict[int, list[float]] = {n: [] for n in COUNTS}
        for _ in range(args.rounds):
            for n, server in servers.items():
                times[n].append(timed_view(demo, server.url, n))
        print(f"GET /v1/projects/<demo>/quotas, rounds={args.rounds} (after 2 warm-up calls)")
        print_ratios(times, lambda n: f"(1.00 = perfect fan-out, {n:.2f} = serial)")
    finally:
        for server in servers.values():
            server.stop()


if __name__ == "__main__":
    main()
