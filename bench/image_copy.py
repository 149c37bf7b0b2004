"""Image copy: a generated raw image (1 GB by default) copied from RegionOne to 1, 2 and 3
target regions through a running `albatross serve`, against what a script does with
openstacksdk (download the image, then upload it region after region), in the same run.
Prints times, ratios and the server's peak RSS per case: FanOut reads the image once and
buffers a few MiB per target, so the server's memory must not grow with the image or with
the number of regions.

    .venv/bin/python -m bench.image_copy [--size-mb 1024] [--rounds 2]

Needs the dev cloud with 4 regions, every Glance up."""
import argparse
import hashlib
import os
import statistics
import tempfile
import threading
import time
from pathlib import Path

from albatross.regions import images as glance
from tests.integration.conftest import wait_job
from tests.integration.projects import Project, connect_cloud
from tests.integration.server import Server, start_albatross

MB = 1024 * 1024


def chunks(size_mb: int, seed: str):
    """Reproducible, incompressible-enough content without holding the image in memory."""
    block = hashlib.sha512(seed.encode()).digest() * (MB // 64)
    for i in range(size_mb):
        yield i.to_bytes(8, "big") + block[8:]


def make_source(conn, size_mb: int, name: str):
    image_id = glance.create_record(conn, {"name": name, "disk_format": "raw",
                                           "container_format": "bare"},
                                    image_id=None, owner=None)
    glance.upload(conn, image_id, chunks(size_mb, name), size_mb * MB)
    return conn.image.get_image(image_id)


def rss_kb(pid: int) -> int:
    """Resident memory of a process and its children (the server runs as one process; the
    children are counted in case a deployment forks)."""
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        try:
            with open(f"/proc/{p}/status") as f:
                total += next(int(line.split()[1]) for line in f if line.startswith("VmRSS"))
            for tid in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{tid}/children") as f:
                    todo += [int(c) for c in f.read().split()]
        except (FileNotFoundError, ProcessLookupError, StopIteration):
            continue
    return total


def tree(pid: int) -> set[int]:
    out, todo = set(), [pid]
    while todo:
        p = todo.pop()
        out.add(p)
        try:
            for tid in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{tid}/children") as f:
                    todo += [int(c) for c in f.read().split()]
        except FileNotFoundError:
            continue
    return out


def cpu_seconds(server_pid: int) -> dict[str, float]:
    """CPU time used so far by the Albatross server and by each region's Glance."""
    server, out = tree(server_pid), {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                cmd = f.read(64).decode(errors="replace")
        except (FileNotFoundError, ProcessLookupError):
            continue
        ticks = int(fields[11]) + int(fields[12])   # utime + stime
        if int(entry) in server:
            who = "server"
        elif cmd.startswith("devcloud-r") and "-glance" in cmd:
            who = "glance-" + cmd.split("-")[1]
        else:
            continue
        out[who] = out.get(who, 0.0) + ticks / os.sysconf("SC_CLK_TCK")
    return out


def cpu_busy() -> tuple[int, int]:
    with open("/proc/stat") as f:
        fields = [int(x) for x in f.readline().split()[1:]]
    idle = fields[3] + fields[4]
    return sum(fields) - idle, sum(fields)


class Sampler:
    """Peak RSS of the server and the machine's CPU use while a case runs."""

    def __init__(self, pid: int):
        self.pid, self.peak, self.before = pid, 0, rss_kb(pid)
        self._stop = threading.Event()

    def __enter__(self):
        self.cpu0, self.by0 = cpu_busy(), cpu_seconds(self.pid)
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def _run(self):
        while not self._stop.is_set():
            self.peak = max(self.peak, rss_kb(self.pid))
            self._stop.wait(0.02)

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        busy1, total1 = cpu_busy()
        self.cpu = (busy1 - self.cpu0[0]) / max(total1 - self.cpu0[1], 1)
        by1 = cpu_seconds(self.pid)
        self.by = {k: by1[k] - self.by0.get(k, 0.0) for k in by1}
        busy_s = (busy1 - self.cpu0[0]) / os.sysconf("SC_CLK_TCK")
        # the rest of the machine: this script, other services, other people's tests
        self.by["rest"] = busy_s - sum(self.by.values())


def wipe(cloud: dict, project_id: str, regions: list[str]) -> None:
    for region in regions:
        conn = cloud["conns"][region]
        for img in list(conn.image.images(owner=project_id)):
            conn.image.delete_image(img)


def timed_sync(member, server: Server, source: str, targets: list[str], img) -> dict:
    with Sampler(server.proc.pid) as s:
        t0 = time.perf_counter()
        resp = member.call("POST", "/v1/images/sync", json={
            "source_region": source, "target_regions": targets, "images": [img.id]})
        job = wait_job(member, resp.json()["job"]["id"], timeout=3600)
        elapsed = time.perf_counter() - t0
    assert job["status"] == "SUCCESS", [t["error"] for t in job["tasks"]]
    assert {t["result"]["hash_value"] for t in job["tasks"]} == {img.hash_value}
    return {"s": elapsed, "rss_before": s.before / 1024, "rss_peak": s.peak / 1024,
            "cpu": s.cpu, "by": s.by}


def timed_script(member, source: str, targets: list[str], img, tmp: Path) -> dict:
    """What a script does: download to a file once, then upload it to each region in turn
    (the SDK's own calls, default options)."""
    path = tmp / "image.raw"
    cpu0 = cpu_busy()
    t0 = time.perf_counter()
    member.conn(source).image.download_image(img, output=str(path))
    times = {"download": time.perf_counter() - t0}
    for region in targets:
        t1 = time.perf_counter()
        copy = member.conn(region).image.create_image(
            name=img.name, filename=str(path), disk_format="raw", container_format="bare",
            wait=True)
        times[region] = time.perf_counter() - t1
        assert member.conn(region).image.get_image(copy.id).hash_value == img.hash_value
    busy1, total1 = cpu_busy()
    times["cpu"] = (busy1 - cpu0[0]) / max(total1 - cpu0[1], 1)
    path.unlink()
    return times


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--size-mb", type=int, default=1024)
    ap.add_argument("--rounds", type=int, default=2)
    args = ap.parse_args()
    cloud = connect_cloud()
    regions = cloud["regions"]
    if len(regions) < 4:
        raise SystemExit("needs a dev cloud with 4 or more regions")
    source, targets = regions[0], regions[1:4]
    tmp = Path(tempfile.mkdtemp(prefix="albatross-bench-", dir="/var/tmp"))
    project = Project(cloud)
    server = start_albatross(cloud, tmp, {"sync": {"audit_check_interval": 0}}, name="bench")
    cases: dict[str, list] = {"1": [], "2": [], "3": [], "script": []}
    try:
        member = project.api_member(server.url)
        warm = make_source(member.conn(source), 8, "bench-warm")
        timed_sync(member, server, source, targets, warm)  # tokens, connections, catalog
        img = make_source(member.conn(source), args.size_mb, "bench-image")
        for _ in range(args.rounds):
            for n in (1, 2, 3):
                wipe(cloud, project.id, targets)
                cases[str(n)].append(timed_sync(member, server, source, targets[:n], img))
            wipe(cloud, project.id, targets)
            cases["script"].append(timed_script(member, source, targets, img, tmp))
    finally:
        server.stop()
        project.destroy()
    report(args, targets, cases)


def report(args, targets, cases):
    med = statistics.median
    alb = {n: med(r["s"] for r in cases[str(n)]) for n in (1, 2, 3)}
    runs = cases["script"]
    down = med(r["download"] for r in runs)
    script = {n: med(r["download"] + sum(r[t] for t in targets[:n]) for r in runs)
              for n in (1, 2, 3)}
    per_region = {n: med(n * r["download"] + sum(r[t] for t in targets[:n]) for r in runs)
                  for n in (1, 2, 3)}
    print(f"image {args.size_mb} MiB raw, rounds={args.rounds} (medians)")
    print(f"{'case':34} {'time':>8} {'MiB/s':>7} {'CPU busy':>9} {'server RSS idle/peak':>21}")
    for n in (1, 2, 3):
        rs = cases[str(n)]
        print(f"Albatross, {n} target region(s)       {alb[n]:7.1f}s "
              f"{args.size_mb * n / alb[n]:7.1f} {med(r['cpu'] for r in rs):8.0%} "
              f"{med(r['rss_before'] for r in rs):9.0f} / {max(r['rss_peak'] for r in rs):4.0f}"
              " MiB")
    print(f"script: download once               {down:7.1f}s")
    for n in (1, 2, 3):
        print(f"script: download + {n} upload(s)      {script[n]:7.1f}s "
              f"{args.size_mb * n / script[n]:7.1f} {med(r['cpu'] for r in runs):8.0%}"
              f"   (download per region: {per_region[n]:.1f}s)")
    print(f"fan-out ratio Albatross 3 / 1 region:  {alb[3] / alb[1]:5.2f} "
          "(1.00 = perfect fan-out, 3.00 = serial)")
    print(f"fan-out ratio script 3 / 1 region:     {script[3] / script[1]:5.2f}")
    for n in (1, 3):
        print(f"script / Albatross, {n} region(s):      {script[n] / alb[n]:5.2f} "
              "(>1: Albatross is faster)")
    print("CPU seconds per case (median; r1 = the source's Glance):")
    for n in (1, 2, 3):
        rs = cases[str(n)]
        keys = sorted({k for r in rs for k in r["by"]})
        parts = ", ".join(f"{k} {med(r['by'].get(k, 0.0) for r in rs):.1f}" for k in keys)
        print(f"  {n} region(s): {parts}; wall x cores {alb[n] * os.cpu_count():.1f}")
    for i, r in enumerate(runs):
        print(f"  script round {i + 1}: " + ", ".join(f"{k} {v:.1f}s" for k, v in r.items()
                                                     if k != "cpu"))
    for n in (1, 2, 3):
        print(f"  Albatross {n} region(s), each round: " +
              ", ".join(f"{r['s']:.1f}s" for r in cases[str(n)]))
    growth = max(r["rss_peak"] for r in cases["3"]) - max(r["rss_peak"] for r in cases["1"])
    print(f"server peak RSS, 3 regions minus 1 region: {growth:+.0f} MiB")


if __name__ == "__main__":
    main()
