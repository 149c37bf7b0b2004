"""Dashboard overview: how the time to load `/ui/` grows with the regions.

The overview is one HTML page made of several API reads done at once (regions with endpoint
health, the indicator summary and capacity series, jobs, drift, quota events, address
conflicts). Baseline from the same run: the same page from an Albatross limited to ONE region
(`[regions] only`); the other serves 4. Both log in as `admin` (the heaviest overview: capacity
charts) through the login form, then load the page `--rounds` times, the two servers
interleaved, after a warm-up. Two settings of `[regions]`: the defaults (health_cache_seconds
10, health_stale_seconds 60: a load answers with the last probe and a stale one is redone in
the background) and both 0 (every load probes every endpoint of every region and waits: the
worst case).

    .venv/bin/python -m bench.dashboard_overview [--rounds 30]

Brings the dev cloud up to 4 regions if it has fewer (`DevCloud(regions=4).up()`: only adds)."""
import argparse
import re
import tempfile
import time
from pathlib import Path

import requests

from albatross.devcloud import DevCloud
from bench import quota_view
from tests.integration.server import Server

COUNTS = (1, 4)


def start_server(info: dict, tmp: Path, regions: list[str], health_cache: float) -> Server:
    return quota_view.start_server(
        info, tmp, regions, name=f"r{len(regions)}-h{health_cache:g}",
        extra={"regions": {"health_cache_seconds": health_cache,
                           "health_stale_seconds": health_cache and 60},
               "indicators": {"collect_interval": 5}})


def login(base_url: str, password: str) -> requests.Session:
    """The login form, as a browser sends it (CSRF field from the page, cookies kept)."""
    http = requests.Session()
    page = http.get(base_url + "/ui/login", timeout=30)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    resp = http.post(base_url + "/ui/login", timeout=30, allow_redirects=False,
                     data={"csrf_token": csrf, "username": "admin", "password": password,
                           "domain": "Default", "project": "admin", "next": "/ui/"})
    assert resp.status_code == 303 and resp.headers["Location"].endswith("/ui/"), resp.text
    return http


def timed_overview(http: requests.Session, base_url: str, nregions: int) -> float:
    t0 = time.perf_counter()
    resp = http.get(base_url + "/ui/", timeout=60)
    elapsed = time.perf_counter() - t0
    assert resp.status_code == 200, resp.status_code
    rows = len(re.findall(r'<tr data-region="', resp.text))
    assert rows == nregions, f"{rows} region rows, expected {nregions}"
    return elapsed


def measure(info: dict, tmp: Path, regions: list[str], health_cache: float, rounds: int):
    servers = {n: start_server(info, tmp, regions[:n], health_cache) for n in COUNTS}
    try:
        time.sleep(8)  # a first indicator round, so that the charts have points
        sessions = {n: login(s.url, info["password"]) for n, s in servers.items()}
        for n, server in servers.items():
            for _ in range(3):
                timed_overview(sessions[n], server.url, n)
        times = {n: [] for n in COUNTS}
        for _ in range(rounds):
            for n, server in servers.items():
                times[n].append(timed_overview(sessions[n], server.url, n))
        return times
    finally:
        for server in servers.values():
            server.stop()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=30)
    args = ap.parse_args()
    info = DevCloud(regions=4).up()
    regions = info["regions"][:max(COUNTS)]
    tmp = Path(tempfile.mkdtemp(prefix="albatross-bench-ui-"))
    for health_cache in (10.0, 0.0):
        times = measure(info, tmp, regions, health_cache, args.rounds)
        print(f"GET /ui/ as admin, health_cache_seconds={health_cache:g}, "
              f"rounds={args.rounds} (after 3 warm-up loads)")
        quota_view.print_ratios(times, lambda n: "(target: <= 1.50)")


if __name__ == "__main__":
    main()
