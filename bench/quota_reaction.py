"""Reactive quota rebalancing on the dev cloud, with a real `albatross serve` listening to
every region's notifications:

1. latency: per sample a fresh project (G = 12, 4 per region) whose member creates networks
   in RegionOne 3 s apart; the create that leaves one unit starts a rebalance. Prints median
   and p90 of that create's notification (its own timestamp) -> rebalance job made, and ->
   rebalance done (both include [quota] react_min_interval, 2 s of gathering).
2. bursts: 16 concurrent network creates in each of two regions against G = 6, Neutron on
   its own defaults there (the dev cloud's strict setting would hold every burst), with
   reactive rebalancing on and then off (a server of its own each, one after the other: two
   listeners would share the queues). Prints the overshoot after each burst and how long
   until Albatross recorded it (off: never before the next periodic pass).

    .venv/bin/python -m bench.quota_reaction [--samples 10] [--bursts 5]"""
import argparse
import datetime
import statistics
import tempfile
import threading
import time
from pathlib import Path

from sqlalchemy import create_engine, text

from albatross.devcloud import DevCloud
from tests.integration.conftest import (drop_event_queues, event_sources,
                                        wait_for_event_listeners)
from tests.integration.projects import Project, connect_cloud
from tests.integration.quota_race import Fixture, burst, clean, setting
from tests.integration.server import start_albatross


class Bench:
    def __init__(self, info, tmp: Path, react: bool):
        self.info, self.react = info, react
        name = "react" if react else "periodic"
        self.server = start_albatross(info, tmp, {
            "events": event_sources(info),
            "quota": {"react_to_notifications": str(react).lower()}}, name=name)
        wait_for_event_listeners(info)
        self.db = create_engine(f"sqlite:///{tmp}/{name}.sqlite")

    def stop(self):
        self.server.stop()
        drop_event_queues(self.info)

    def reactive_jobs(self, project_id: str) -> list[tuple[datetime.datetime, datetime.datetime]]:
        """(made, done) of the project's rebalances started by notifications."""
        with self.db.connect() as c:
            rows = c.execute(text(
                "SELECT j.created_at, MAX(t.finished_at) FROM jobs j JOIN tasks t "
                "ON t.job_id = j.id WHERE j.kind = 'quota_rebalance' AND j.origin = "
                "'notification' AND t.resource = :p GROUP BY j.id HAVING COUNT(*) = "
                "COUNT(t.finished_at) ORDER BY j.created_at"), {"p": project_id}).all()
        return [(_dt(a), _dt(b)) for a, b in rows]

    def create_times(self, project_id: str) -> list[datetime.datetime]:
        with self.db.connect() as c:
            return [_dt(r[0]) for r in c.execute(text(
                "SELECT time FROM events WHERE event_type = 'network.create.end' AND "
                "project_id = :p ORDER BY time"), {"p": project_id})]

    def exceeded_at(self, project_id: str):
        with self.db.connect() as c:
            row = c.execute(text("SELECT MIN(created_at) FROM quota_events WHERE project_id"
                                 " = :p AND kind = 'hard_exceeded'"), {"p": project_id}).first()
        return _dt(row[0]) if row and row[0] else None


def _dt(value) -> datetime.datetime:
    return value if isinstance(value, datetime.datetime) else \
        datetime.datetime.fromisoformat(str(value))


def set_limits(admin_session, base_url, project_id, limits):
    import requests
    token = admin_session.get_token()
    resp = requests.put(f"{base_url}/v1/projects/{project_id}/quotas",
                        json={"limits": limits}, headers={"X-Auth-Token": token}, timeout=60)
    resp.raise_for_status()
    job = resp.json()["job"]["id"]
    for _ in range(300):
        state = requests.get(f"{base_url}/v1/jobs/{job}", headers={"X-Auth-Token": token},
                             timeout=60).json()["job"]["status"]
        if state in ("SUCCESS", "FAILED"):
            return state
        time.sleep(0.2)
    raise RuntimeError("rebalance did not finish")


def admin_session(info):
    from keystoneauth1 import session as ks_session
    from keystoneauth1.identity import v3
    return ks_session.Session(auth=v3.Password(
        auth_url=info["auth_url"], username="admin", password=info["password"],
        project_name="admin", user_domain_name="Default", project_domain_name="Default"))


def latency(bench: Bench, cloud, admin, samples: int) -> None:
    """One sample per fresh project: G = 12 (4 per region), then networks created in
    RegionOne 3 s apart, so that each notification is alone; the third leaves one unit and
    is the one that starts the rebalance."""
    region = cloud["regions"][0]
    to_made, to_done = [], []
    for _ in range(samples):
        project = Project(cloud)
        try:
            _uid, connect = project.member()
            set_limits(admin, bench.server.url, project.id, {"network": 12})
            net = connect(region).network
            for i in range(3):
                net.create_network(name=f"{project.tag}-{i}")
                time.sleep(3)
            deadline = time.monotonic() + 20
            while not bench.reactive_jobs(project.id) and time.monotonic() < deadline:
                time.sleep(0.5)
            jobs, creates = bench.reactive_jobs(project.id), bench.create_times(project.id)
            if jobs and creates:
                (made, done), cause = jobs[0], [t for t in creates if t <= jobs[0][0]][-1]
                to_made.append((made - cause).total_seconds())
                to_done.append((done - cause).total_seconds())
        finally:
            project.destroy()
    print(f"latency: {len(to_made)} of {samples} samples rebalanced after the notification "
          f"that left one unit ([quota] react_min_interval = 2 s of gathering included)")
    for name, values in (("notification -> job made", to_made),
                         ("notification -> rebalance done", to_done)):
        if values:
            q = statistics.quantiles(values, n=10) if len(values) > 1 else values * 9
            print(f"  {name:32} median {statistics.median(values):6.2f} s   "
                  f"p90 {q[8]:6.2f} s")


def bursts(bench: Bench, cloud, admin, count: int) -> list[tuple[int, float | None]]:
    two = cloud["regions"][:2]
    out = []
    for _ in range(count):
        project = Project(cloud)
        try:
            _uid, connect = project.member()
            set_limits(admin, bench.server.url, project.id, {"network": 6})
            fixtures = {r: Fixture(cloud["conns"][r], connect(r), project.tag) for r in two}
            threads = [threading.Thread(target=burst, args=(connect, r, fixtures[r],
                                                            "network", 16)) for r in two]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            end = datetime.datetime.utcnow()
            total = sum(len(f.created) for f in fixtures.values())
            seen = None
            deadline = time.monotonic() + 30
            while total > 6 and time.monotonic() < deadline:
                at = bench.exceeded_at(project.id)
                if at:
                    seen = max(0.0, (at - end).total_seconds())
                    break
                time.sleep(0.5)
            out.append((total - 6, seen))
            for fx in fixtures.values():
                clean(fx)
        finally:
            project.destroy()
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--samples", type=int, default=10)
    ap.add_argument("--bursts", type=int, default=5)
    args = ap.parse_args()
    devcloud = DevCloud()
    devcloud.up()
    info, cloud = devcloud.info(), connect_cloud()
    admin = admin_session(info)
    with tempfile.TemporaryDirectory() as tmp:
        results = {}
        for react in (True, False):
            bench = Bench(info, Path(tmp), react)
            try:
                if react:
                    latency(bench, cloud, admin, args.samples)
                with setting(devcloud, "neutron-default", cloud["regions"][:2]):
                    results[react] = bursts(bench, cloud, admin, args.bursts)
            finally:
                bench.stop()
    print("bursts: 16 network creates at once in each of 2 regions, G = 6")
    for react, rows in results.items():
        over = [o for o, _ in rows]
        seen = [s for o, s in rows if o > 0 and s is not None]
        unseen = sum(1 for o, s in rows if o > 0 and s is None)
        print(f"  reactive {'on ' if react else 'off'}: overshoot per burst {over} "
              f"(mean {statistics.mean(over):.1f}); recorded after "
              f"{[round(s, 1) for s in seen]} s; not recorded within 30 s: {unseen}")


if __name__ == "__main__":
    main()
