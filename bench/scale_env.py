"""What the scale bench (bench/scale.py) runs against: the region simulator with N regions
behind its own real Keystone (`albatross devcloud sim`), the identities Albatross needs there
(its service user, a tenant and its member), one `albatross serve` with its embedded worker
on SQLite, and a sampler of that process (CPU seconds, peak RSS, threads, open sockets)."""
import os
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import openstack
import psutil
import requests
import yaml
from keystoneauth1 import session as ks_session
from keystoneauth1.identity import v3
from sqlalchemy import create_engine, func, inspect, select, table

from albatross.devcloud.processes import stop
from albatross.devcloud.settings import PASSWORD, Paths
from albatross.devcloud.sim_catalog import simulate
from tests.integration.server import Server, db_upgrade, free_port, write_config

TENANT, MEMBER = "scale", "scale-member"


def _ensure(finder, creator, name, **attrs):
    return finder(name, ignore_missing=True) or creator(name=name, **attrs)


def _identity(sim: dict):
    auth = v3.Password(auth_url=sim["auth_url"], username="admin", password=PASSWORD,
                       project_name="admin", user_domain_name="Default",
                       project_domain_name="Default")
    return openstack.connection.Connection(session=ks_session.Session(auth=auth),
                                           region_name=sim["region_names"][0]).identity


def projects(sim: dict, count: int) -> list[str]:
    """`count` projects of the simulator's Keystone (bench-p-NNNNN, made once and kept):
    a rebalance asks Keystone who the project's users are, so they must exist."""
    idn = _identity(sim)
    have = {p.name: p.id for p in idn.projects(domain_id="default")
            if p.name.startswith("bench-p-")}
    for i in range(count):
        name = f"bench-p-{i:05d}"
        if name not in have:
            have[name] = idn.create_project(name=name, domain_id="default").id
    return [have[f"bench-p-{i:05d}"] for i in range(count)]


def identities(sim: dict) -> str:
    """The simulator's Keystone gets Albatross's service user (admin in `service`) and a
    tenant with a member; returns a clouds.yaml naming them (sim-albatross, sim-member)."""
    idn = _identity(sim)
    roles = {r.name: r for r in idn.roles()}
    for user, project, role in (("albatross", "service", "admin"), (MEMBER, TENANT, "member")):
        proj = _ensure(idn.find_project, idn.create_project, project, domain_id="default")
        usr = _ensure(idn.find_user, idn.create_user, user, domain_id="default",
                      password=PASSWORD, default_project_id=proj.id)
        idn.assign_project_role_to_user(proj, usr, roles[role])
    auth = {"auth_url": sim["auth_url"], "password": PASSWORD, "user_domain_name": "Default",
            "project_domain_name": "Default"}
    clouds = {"sim-albatross": {"auth": {**auth, "username": "albatross",
                                          "project_name": "service"}},
              "sim-member": {"auth": {**auth, "username": MEMBER, "project_name": TENANT}},
              "sim-admin": {"auth": {**auth, "username": "admin", "project_name": "admin"}}}
    for c in clouds.values():
        c.update(identity_api_version=3, interface="public")
    path = Path(sim["clouds_yaml"]).with_name("clouds-sim-bench.yaml")
    path.write_text(yaml.safe_dump({"clouds": clouds}))
    return str(path)


class ApiUser:
    """A Keystone user of the simulator's cloud calling the Albatross API."""

    def __init__(self, auth_url: str, username: str, project: str, base_url: str):
        auth = v3.Password(auth_url=auth_url, username=username, password=PASSWORD,
                           project_name=project, user_domain_name="Default",
                           project_domain_name="Default")
        self.session = ks_session.Session(auth=auth)
        access = auth.get_access(self.session)
        self.token, self.user_id, self.project_id = (access.auth_token, access.user_id,
                                                     access.project_id)
        self.base_url = base_url
        self.http = requests.Session()

    def call(self, method: str, path: str, **kwargs) -> requests.Response:
        headers = {"X-Auth-Token": self.token, **kwargs.pop("headers", {})}
        return self.http.request(method, self.base_url + path, headers=headers, timeout=3600,
                                 **kwargs)

    def ok(self, method: str, path: str, **kwargs) -> dict:
        resp = self.call(method, path, **kwargs)
        if resp.status_code >= 300:
            raise RuntimeError(f"{method} {path}: {resp.status_code} {resp.text[:500]}")
        return resp.json() if resp.content else {}

    def wait_job(self, job_id: str, timeout: float = 7200) -> dict:
        deadline = time.monotonic() + timeout
        while True:   # the counts only: a job's tasks are not what is measured
            job = self.ok("GET", f"/v1/jobs/{job_id}", params={"tasks_limit": 0})["job"]
            if job["status"] in ("SUCCESS", "FAILED"):
                return self.ok("GET", f"/v1/jobs/{job_id}", params={"tasks_limit": 10})["job"]
            if time.monotonic() > deadline:
                raise TimeoutError(f"job {job_id} still {job['status']}")
            time.sleep(0.1)


@dataclass
class Sample:
    wall: float = 0.0
    cpu: float = 0.0
    peak_rss: int = 0
    peak_threads: int = 0
    peak_sockets: int = 0
    rows: int = 0
    extra: dict = field(default_factory=dict)


def _sockets(pid: int) -> int:
    """Open sockets of the process (its fds that are sockets): cheaper than psutil's
    connection table with thousands of them."""
    n = 0
    try:
        for fd in os.listdir(f"/proc/{pid}/fd"):
            try:
                n += os.readlink(f"/proc/{pid}/fd/{fd}").startswith("socket:")
            except OSError:
                pass
    except OSError:
        pass
    return n


class Sampler:
    """Peaks of one process while a block runs, sampled every `every` seconds."""

    def __init__(self, pid: int, every: float = 0.1):
        self.proc, self.every = psutil.Process(pid), every

    def now(self) -> tuple[int, int, int]:
        with self.proc.oneshot():
            return self.proc.memory_info().rss, self.proc.num_threads(), _sockets(self.proc.pid)

    def measure(self, fn) -> tuple[object, Sample]:
        peaks, stop = list(self.now()), threading.Event()

        def watch():
            while not stop.wait(self.every):
                for i, v in enumerate(self.now()):
                    peaks[i] = max(peaks[i], v)
        watcher = threading.Thread(target=watch, daemon=True)
        cpu0 = sum(self.proc.cpu_times()[:2])
        t0 = time.perf_counter()
        watcher.start()
        try:
            result = fn()
        finally:
            wall = time.perf_counter() - t0
            stop.set()
            watcher.join()
        cpu = sum(self.proc.cpu_times()[:2]) - cpu0
        for i, v in enumerate(self.now()):
            peaks[i] = max(peaks[i], v)
        return result, Sample(wall, cpu, *peaks)


def db_rows(db_url: str) -> int:
    engine = create_engine(db_url)
    try:
        with engine.connect() as c:
            return sum(c.execute(select(func.count()).select_from(table(t))).scalar()
                       for t in inspect(engine).get_table_names() if t != "alembic_version")
    finally:
        engine.dispose()


@dataclass
class Env:
    n: int
    sim: dict
    server: Server
    db_url: str
    admin: ApiUser
    member: ApiUser
    sampler: Sampler

    @property
    def regions(self) -> list[str]:
        return self.sim["region_names"]

    def stop(self) -> None:
        self.server.stop()


def start(n: int, tmp: Path, rtt_ms: float = 0.0, extra: dict | None = None) -> Env:
    """The simulator with `n` regions (restarted: empty), its identities, and an Albatross
    of its own (config, SQLite database and log in `tmp`)."""
    paths = Paths.from_env(None)
    stop(paths, ["regionsim"])   # its state is in memory: every measure starts empty
    sim = simulate(paths, n, rtt_ms)
    sim["bench_clouds_yaml"] = identities(sim)
    return _serve(n, sim, tmp, f"scale-{n}", extra)


def start_server(env: Env, tmp: Path, name: str, extra: dict | None = None) -> Env:
    """Another Albatross over the same simulator (e.g. limited to some regions)."""
    return _serve(env.n, env.sim, tmp, name, extra)


def _serve(n: int, sim: dict, tmp: Path, name: str, extra: dict | None) -> Env:
    clouds_yaml, port = sim["bench_clouds_yaml"], free_port()
    db_url = f"sqlite:///{tmp}/{name}.sqlite"
    if os.path.exists(f"{tmp}/{name}.sqlite"):
        os.unlink(f"{tmp}/{name}.sqlite")
    sections = {"regions": {"cloud": "sim-albatross", "clouds_yaml": clouds_yaml},
                # the bench asks for each piece of work itself
                "indicators": {"collect_interval": 0}, "sync": {"audit_check_interval": 0},
                "addresses": {"refresh_interval": 0},
                "jobs": {"lease_seconds": 30, "poll_interval": 0.2, "max_attempts": 3,
                         "retry_backoff": 1}}
    for section, values in (extra or {}).items():
        sections.setdefault(section, {}).update(values)
    config = write_config(tmp / f"{name}.conf", db_url=db_url, port=port,
                          clouds_yaml=clouds_yaml, auth_url=sim["auth_url"],
                          password=PASSWORD, extra=sections)
    db_upgrade(config)
    server = Server(config, port, tmp / f"{name}.log")
    server.env["OS_CLIENT_CONFIG_FILE"] = clouds_yaml
    server.start(timeout=120)
    admin = ApiUser(sim["auth_url"], "admin", "admin", server.url)
    member = ApiUser(sim["auth_url"], MEMBER, TENANT, server.url)
    return Env(n, sim, server, db_url, admin, member, Sampler(server.proc.pid))


def member_connection(env: Env, region: str) -> openstack.connection.Connection:
    """The tenant's member in one simulated region, its endpoints named (a catalog lookup
    copies thousands of regions' entries per call)."""
    base = f"{env.sim['simulator']}/{region}"
    return openstack.connection.Connection(
        session=env.member.session, region_name=region,
        compute_endpoint_override=f"{base}/compute/v2.1",
        network_endpoint_override=f"{base}/network", image_endpoint_override=f"{base}/image")
