"""DevCloud: bring the multi-region dev cloud up and down, inspect it, stop/start a service."""
from __future__ import annotations

import fcntl
import functools
import hashlib
import json
import shutil
import subprocess
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from os import environ

from . import backing, configs, install, services as svc
from .processes import adopt, is_ours, port_open, pss_kb, read_pid, running_pid, stop
from .settings import (API_SERVICES, AUTH_URL, DEFAULT_ALBATROSS_URL, FULL_NOVA_REGIONS,
                       MAX_REGIONS, MYSQL_PORT, NOVA_DAEMONS, PASSWORD, PKG_DIR, RABBIT_PORT,
                       RABBIT_URL,
                       REGION_NAMES, USERS, DevCloudError, Paths, load_state, log, port_of,
                       region_index, region_short, rpc_vhost, save_state)


def _exclusive(method):
    """Serialise up/down/stop/start across processes (e.g. a test suite's fixtures and a
    shell) with an flock on $BASE/.lock."""
    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        self.paths.base.mkdir(parents=True, exist_ok=True)
        with open(self.paths.base / ".lock", "a") as f:
            try:
                fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                log("another dev cloud command runs on this base; waiting for it")
                fcntl.flock(f, fcntl.LOCK_EX)
            return method(self, *args, **kwargs)
    return wrapper


class DevCloud:
    """A real multi-region OpenStack on 127.0.0.1 (one Keystone; per region Glance, Neutron,
    Nova API, Cinder API, Placement), for Albatross's tests, demo and CI.

    ``up()`` never removes anything that runs: asking for fewer regions or no full Nova while
    a bigger dev cloud runs keeps the bigger one (``down()`` first to shrink).
    """

    SERVICES = API_SERVICES + NOVA_DAEMONS + ["keystone"]

    def __init__(self, base=None, regions: int = 2, full_nova: bool = False,
                 albatross_url: str | None = None):
        if not 1 <= int(regions) <= MAX_REGIONS:
            raise ValueError(f"regions must be 1..{MAX_REGIONS}, not {regions}")
        self.paths = Paths.from_env(base)
        self._want_regions = int(regions)
        self._want_full_nova = bool(full_nova)
        self._want_url = albatross_url

    # ------------------------------------------------------------ state
    def _state(self) -> dict:
        return load_state(self.paths)

    def _running_names(self) -> list[str]:
        if not self.paths.run.is_dir():
            return []
        names = [f.stem for f in self.paths.run.glob("*.pid")]
        return [n for n in names if n not in backing.OWN_DAEMONS and running_pid(self.paths, n)]

    def _config(self) -> tuple[int, bool, str]:
        """(regions, full_nova, albatross_url) that up() brings about."""
        st = self._state()
        n, full = self._want_regions, self._want_full_nova
        if st and self._running_names():
            n, full = max(n, st.get("regions", 0)), full or st.get("full_nova", False)
        url = self._want_url or st.get("albatross_url") or DEFAULT_ALBATROSS_URL
        return n, full, url

    def _current(self) -> tuple[int, bool, str]:
        """What was last brought up (or would be, if nothing was)."""
        st = self._state()
        return (st.get("regions", self._want_regions),
                st.get("full_nova", self._want_full_nova),
                st.get("albatross_url") or self._want_url or DEFAULT_ALBATROSS_URL)

    @property
    def regions(self) -> list[str]:
        return REGION_NAMES[:self._current()[0]]

    @property
    def nova_regions(self) -> list[str]:
        """The regions that run all of Nova (servers boot there), as last brought up."""
        st = self._state()
        if "nova_regions" in st:
            return list(st["nova_regions"])
        return [FULL_NOVA_REGIONS[0]] if self._current()[1] else []

    def _choose_nova_regions(self, regions: list[str], full: bool, mq_kind) -> list[str]:
        """FULL_NOVA_REGIONS among `regions`, less those whose RPC virtual host cannot be
        made (then only RegionOne, on the default one, runs all of Nova)."""
        want = [r for r in FULL_NOVA_REGIONS if full and r in regions]
        vhosts = [rpc_vhost(r) for r in want if rpc_vhost(r) != "/"]
        made = self._state().get("rpc_vhosts") or {}   # the broker keeps them: ~2 s saved
        if made.get("mq") == mq_kind and set(vhosts) <= set(made.get("vhosts", [])):
            return want
        if not backing.ensure_vhosts(self.paths, mq_kind, vhosts):
            return [r for r in want if rpc_vhost(r) == "/"]
        st = self._state()
        st["rpc_vhosts"] = {"mq": mq_kind, "vhosts": vhosts}
        save_state(self.paths, st)
        return want

    # ------------------------------------------------------------ up
    @_exclusive
    def up(self) -> dict:
        """Bring everything up; return info() once every API answers (and, with full Nova,
        the compute is registered). Idempotent and fast when already up."""
        p, t_start = self.paths, time.monotonic()
        timings: list[tuple[str, float]] = []
        last = [t_start]

        def phase(name: str) -> None:
            now = time.monotonic()
            timings.append((name, now - last[0]))
            log(f"phase {name}: {now - last[0]:.1f}s")
            last[0] = now

        n, full, url = self._config()
        regions = REGION_NAMES[:n]
        log(f"up: {n} region(s), full nova {'on' if full else 'off'}, base {p.base}")
        own_db = not backing.db_is_ours(p) and not port_open(MYSQL_PORT)
        own_mq = full and not running_pid(p, "rabbitmq") and not port_open(RABBIT_PORT)
        install.ensure_installed(p, own_db, own_mq)
        phase("install")
        db_kind = backing.ensure_mariadb(p, n)
        mq_kind = backing.ensure_rabbitmq(p) if full else None
        # the services publish their notifications there: bound those queues (idempotent, two
        # rabbitmqctl runs of ~0.4 s each, so beside the rest; a failure only warns)
        mq_policy = threading.Thread(target=backing.bound_notification_queues,
                                     args=(p, mq_kind)) if full else None
        if mq_policy:
            mq_policy.start()
        nova = self._choose_nova_regions(regions, full, mq_kind)
        phase("mariadb/rabbitmq")
        digests = configs.write_all(p, n, nova)
        counts = self._table_counts(n)
        svc.markers_to_reset(p, counts, regions)
        old = self._state()
        save_state(p, {"regions": n, "full_nova": full, "nova_regions": nova,
                       "albatross_url": url, "db": db_kind, "mq": mq_kind,
                       "compute_ready": old.get("compute_ready"),
                       "rpc_vhosts": old.get("rpc_vhosts")})

        def keystone_job():
            svc.keystone_schema(p)
            svc.ensure_proc(p, svc.keystone_proc(p), digests["keystone"])

        def region_job(region, service):
            svc.region_schema(p, region, service)
            if service == "nova":
                svc.sync_cell_transport(p, region, nova)
            svc.ensure_proc(p, svc.api_proc(p, region, service),
                            digests[f"{region_short(region)}-{service}"])

        order = ["nova", "neutron", "glance", "cinder", "placement"]
        with ThreadPoolExecutor(int(environ.get("ALBATROSS_DEVCLOUD_JOBS", "4"))) as pool:
            ks = pool.submit(keystone_job)
            jobs = [pool.submit(region_job, r, s) for r in regions for s in order]
            ks.result()
            svc.wait_answering(p, svc.keystone_proc(p))
            self._catalog(regions, url)
            phase("keystone+catalog")
            errors = [j.exception() for j in jobs if j.exception()]
        if errors:
            raise errors[0]
        phase("schemas+start")
        procs = [pr for pr in svc.all_procs(p, regions) if pr.port]
        with ThreadPoolExecutor(8) as pool:
            list(pool.map(lambda pr: svc.wait_answering(p, pr), procs))
        phase("apis answering")
        if nova:
            self._full_nova(digests, nova)
            phase("full nova")
        if mq_policy:
            mq_policy.join()
        log(f"ALL UP in {time.monotonic() - t_start:.1f}s ({n} regions"
            f"{', full nova in ' + ', '.join(nova) if nova else ''}); "
            f"clouds.yaml: {p.clouds_yaml}")
        st = self._state()
        st["timings"] = {k: round(v, 1) for k, v in timings}
        st["up_seconds"] = round(time.monotonic() - t_start, 1)
        save_state(p, st)
        return self.info()

    def _table_counts(self, n: int) -> dict[str, int]:
        from .settings import all_databases
        dbs = ", ".join(f"'{d}'" for d in all_databases(n))
        rows = backing.sql(self.paths, [
            "SELECT table_schema, COUNT(*) FROM information_schema.tables "
            f"WHERE table_schema IN ({dbs}) GROUP BY table_schema"])[0]
        return {r[0]: int(r[1]) for r in rows}

    def _catalog(self, regions: list[str], url: str) -> None:
        req = {"regions": regions, "unused_regions": REGION_NAMES[len(regions):],
               "ports": {r: {s: port_of(r, s) for s in API_SERVICES} for r in regions},
               "albatross_url": url, "password": PASSWORD, "auth_url": AUTH_URL}
        script = PKG_DIR / "_venv_catalog.py"
        stamp = hashlib.sha256(json.dumps(req, sort_keys=True).encode()
                               + script.read_bytes()).hexdigest()
        marker = self.paths.data / "keystone" / ".catalog"
        if marker.exists() and marker.read_text() == stamp:
            return
        self._venv_script("catalog", req, self.paths.logs / "catalog.log")
        marker.write_text(stamp)

    def _venv_script(self, cmd: str, req: dict, logfile) -> None:
        p = subprocess.run([str(self.paths.python), "-I", str(PKG_DIR / "_venv_catalog.py"), cmd],
                           input=json.dumps(req), capture_output=True, text=True)
        with open(logfile, "a") as f:
            f.write(p.stdout + p.stderr)
        if p.returncode != 0:
            raise DevCloudError(f"{cmd} failed:\n{p.stderr.strip()[-1500:]}")

    def _full_nova(self, digests: dict, nova_regions: list[str]) -> None:
        """Nova's conductor, scheduler and compute in each region of nova_regions; returns
        once every compute is registered (in Nova and in its region's Placement)."""
        p, since = self.paths, time.time()
        daemons = [(region, d) for region in nova_regions for d in NOVA_DAEMONS]
        with ThreadPoolExecutor(len(daemons)) as pool:
            verbs = dict(zip(daemons, pool.map(
                lambda rd: svc.ensure_proc(p, svc.daemon_proc(p, *rd),
                                           digests[f"{region_short(rd[0])}-{rd[1]}"]),
                daemons)))
        ready = self._state().get("compute_ready")
        ready = dict(ready) if isinstance(ready, dict) else {}

        def registered(region: str) -> None:
            pid = running_pid(p, f"{region_short(region)}-nova-compute")
            if verbs[(region, "nova-compute")] == "running" and ready.get(region) == pid:
                return
            self._venv_script("wait-compute", {"region": region, "since": since - 2,
                                               "timeout": 240, "password": PASSWORD,
                                               "auth_url": AUTH_URL}, p.logs / "catalog.log")
            svc.discover_hosts(p, region)
            ready[region] = pid
        with ThreadPoolExecutor(len(nova_regions)) as pool:
            list(pool.map(registered, nova_regions))
        st = self._state()
        st["compute_ready"] = ready
        save_state(p, st)

    # ------------------------------------------------------------ down
    @_exclusive
    def down(self, purge: bool = False) -> None:
        """Stop everything the dev cloud started; purge also drops its databases and wipes
        etc/data/logs/run (the venv stays)."""
        p, t0 = self.paths, time.monotonic()
        known = [pr.name for pr in svc.all_procs(p, REGION_NAMES, FULL_NOVA_REGIONS)]
        adopt(p, known)   # processes whose PID file got lost are ours all the same
        names = [f.stem for f in p.run.glob("*.pid")] if p.run.is_dir() else []
        stopped = stop(p, [x for x in names if x not in backing.OWN_DAEMONS], svc.first_signal)
        if purge and not backing.db_is_ours(p) and port_open(MYSQL_PORT) and p.python.exists():
            backing.drop_databases(p)
        stopped += backing.stop_own(p)
        st = self._state()
        if st:
            st["compute_ready"] = None
            save_state(p, st)
        if purge:
            for d in (p.etc, p.data, p.logs, p.run, p.base / "src"):
                shutil.rmtree(d, ignore_errors=True)
            log(f"purged {p.base} (venv kept)")
        log(f"down: stopped {len(stopped)} processes in {time.monotonic() - t0:.1f}s")

    # ------------------------------------------------------------ inspect / control
    def _proc(self, region: str, service: str) -> svc.Proc:
        if service == "keystone":
            return svc.keystone_proc(self.paths)
        region_index(region)
        if service in API_SERVICES:
            return svc.api_proc(self.paths, region, service)
        if service in NOVA_DAEMONS:
            return svc.daemon_proc(self.paths, region, service)
        raise DevCloudError(f"unknown service {service!r}; one of {', '.join(self.SERVICES)}")

    def status(self) -> list[dict]:
        """One row per process: region, service, name, port, pid, started, answering, pss_mb."""
        p = self.paths
        n, full, _ = self._current()
        procs = svc.all_procs(p, REGION_NAMES[:n], self.nova_regions)

        def row(pr):
            # a PID file whose process is gone = started but crashed: counts as down
            pid = read_pid(p, pr.name)
            alive = pid is not None and is_ours(pid, p, pr.name)
            return {"region": pr.region, "service": pr.service, "name": pr.name,
                    "port": pr.port, "pid": pid, "started": pid is not None,
                    "answering": pr.answering(p, timeout=3) if alive else False,
                    "pss_mb": round(pss_kb(pid) / 1024) if alive else 0}
        with ThreadPoolExecutor(8) as pool:
            rows = list(pool.map(row, procs))
        backs = [("mariadb", MYSQL_PORT)] + ([("rabbitmq", RABBIT_PORT)] if full else [])
        for name, port in backs:
            pid = running_pid(p, name)
            rows.append({"region": "shared", "service": name, "name": name, "port": port,
                         "pid": pid if pid else "external", "started": pid is not None,
                         "answering": port_open(port),
                         "pss_mb": round(pss_kb(pid) / 1024) if pid else 0})
        return rows

    @_exclusive
    def stop_service(self, region: str, service: str) -> None:
        """Stop one service (e.g. ('RegionTwo', 'nova') = that region's Nova API)."""
        pr = self._proc(region, service)
        stop(self.paths, [pr.name], svc.first_signal)
        (self.paths.run / f"{pr.name}.cfg").unlink(missing_ok=True)

    @_exclusive
    def start_service(self, region: str, service: str, timeout: float = 240) -> None:
        """Start one service again; returns once it answers."""
        n, _full, _ = self._current()
        pr, nova = self._proc(region, service), self.nova_regions
        if service in NOVA_DAEMONS and region not in nova:
            raise DevCloudError(f"{service} runs only in {', '.join(nova) or 'no region'} "
                                "(full nova)")
        if region != "shared" and service != "keystone" and region_index(region) >= n:
            raise DevCloudError(f"{region} is not part of this dev cloud ({n} regions)")
        digests = configs.write_all(self.paths, n, nova)
        since = time.time()
        svc.ensure_proc(self.paths, pr, digests[pr.name])
        svc.wait_answering(self.paths, pr, timeout)
        if service == "nova-compute":
            self._venv_script("wait-compute", {"region": region, "since": since - 2,
                                               "timeout": timeout, "password": PASSWORD,
                                               "auth_url": AUTH_URL}, self.paths.logs / "catalog.log")

    def info(self) -> dict:
        n, full, url = self._current()
        regions = REGION_NAMES[:n]
        users = {}
        for name, spec in USERS.items():
            roles = [spec["role"]] + (["service"] if name == "albatross" else [])
            users[name] = {"project": spec["project"], "role": spec["role"], "roles": roles,
                           "cloud": f"devcloud-{name}"}
        return {
            "auth_url": AUTH_URL, "regions": regions, "clouds_yaml": str(self.paths.clouds_yaml),
            "password": PASSWORD, "users": users, "albatross_url": url, "full_nova": full,
            "nova_regions": self.nova_regions,   # where servers boot
            "base": str(self.paths.base), "logs": str(self.paths.logs),
            "endpoints": {r: {s: f"http://127.0.0.1:{port_of(r, s)}" for s in API_SERVICES}
                          for r in regions},
            # where each region's services publish notifications (full Nova: RabbitMQ runs)
            "notifications": {r: {"url": RABBIT_URL, "topic": configs.notification_topic(r)}
                              for r in regions} if full else {},
        }
