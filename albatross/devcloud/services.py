"""The OpenStack processes: what to run for each, schema setup (once, marker files), and
start / restart-on-config-change."""
from __future__ import annotations

import hashlib
import json
import signal
import time
from dataclasses import dataclass, field

from .configs import transport_url
from .processes import (adopt, http_answers, port_open, run, running_pid, spawn, stop, uwsgi_argv,
                        wait_until)
from .settings import (API_SERVICES, AUTH_URL, HOST, KEYSTONE_DB,
                       KEYSTONE_PORT, NOVA_DAEMONS, PASSWORD, DevCloudError, Paths, db_url,
                       log, port_of, region_short)

WSGI = {
    "glance": ("glance.wsgi.api:application", "OS_GLANCE_CONFIG_DIR", "glance"),
    "neutron": ("neutron.wsgi.api:application", "OS_NEUTRON_CONFIG_DIR", "neutron"),
    "nova": ("nova.wsgi.osapi_compute:application", "OS_NOVA_CONFIG_DIR", "nova"),
    "cinder": ("cinder.wsgi.api:application", None, "cinder"),   # reads sys.argv
    "placement": ("placement.wsgi.api:application", "OS_PLACEMENT_CONFIG_DIR", "placement"),
}


@dataclass
class Proc:
    name: str            # process / PID file name, e.g. r2-nova
    region: str          # region name, or "shared"
    service: str         # glance ... placement, keystone, nova-conductor ...
    port: int | None
    argv: list[str]
    env: dict = field(default_factory=dict)

    @property
    def url(self) -> str | None:
        if self.port is None:
            return None
        return f"http://{HOST}:{self.port}" + ("/v3" if self.service == "keystone" else "/")

    @property
    def is_uwsgi(self) -> bool:
        return self.port is not None

    def answering(self, paths: Paths, timeout: float = 3.0) -> bool:
        if self.port is None:
            return running_pid(paths, self.name) is not None
        return http_answers(self.url, timeout)


def keystone_proc(p: Paths) -> Proc:
    return Proc("keystone", "shared", "keystone", KEYSTONE_PORT,
                uwsgi_argv(p, "keystone", KEYSTONE_PORT, "keystone.wsgi.api:application"),
                {"OS_KEYSTONE_CONFIG_DIR": str(p.etc / "keystone")})


def api_proc(p: Paths, region: str, service: str) -> Proc:
    r = region_short(region)
    name, port = f"{r}-{service}", port_of(region, service)
    module, env_var, sub = WSGI[service]
    confdir = p.etc / r / sub
    extra = [] if env_var else ["--pyargv", f"--config-file {confdir / 'cinder.conf'}"]
    return Proc(name, region, service, port, uwsgi_argv(p, name, port, module, extra),
                {env_var: str(confdir)} if env_var else {})


def daemon_proc(p: Paths, region: str, daemon: str) -> Proc:
    r = region_short(region)
    name = f"{r}-{daemon}"
    return Proc(name, region, daemon, None,
                [str(p.bin / daemon), "--config-file", str(p.etc / r / "nova/nova.conf"),
                 "--log-file", str(p.logs / f"{name}.log")])


def all_procs(p: Paths, regions: list[str], nova_regions=()) -> list[Proc]:
    procs = [keystone_proc(p)]
    for region in regions:
        procs += [api_proc(p, region, s) for s in API_SERVICES]
    for region in nova_regions:
        procs += [daemon_proc(p, region, d) for d in NOVA_DAEMONS]
    return procs


def first_signal(name: str) -> int:
    # nova daemons: SIGTERM (graceful, 5 s). uWSGI API servers hold no state worth a graceful
    # stop (MariaDB has it), and nova-api's worker ignores the master's SIGINT for seconds:
    # SIGKILL master and workers at once.
    return signal.SIGTERM if any(name.endswith(d) for d in NOVA_DAEMONS) else signal.SIGKILL


def ensure_proc(p: Paths, proc: Proc, digest: str) -> str:
    """Start proc unless it runs with the same config; 'running', 'started' or 'restarted'."""
    digest_file = p.run / f"{proc.name}.cfg"
    digest += hashlib.sha256(json.dumps([proc.argv, proc.env]).encode()).hexdigest()[:16]
    pid = running_pid(p, proc.name)
    verb = "started"
    if pid is not None:
        if digest_file.exists() and digest_file.read_text() == digest:
            return "running"
        log(f"{proc.name}: configuration changed, restarting")
        stop(p, [proc.name], first_signal)
        verb = "restarted"
    if pid is None and adopt(p, [proc.name]):
        pid = running_pid(p, proc.name)
        if digest_file.exists() and digest_file.read_text() == digest:
            return "running"
        stop(p, [proc.name], first_signal)   # unknown configuration: restart it
        verb = "restarted"
    if proc.port is not None and port_open(proc.port):
        time.sleep(2)   # a process we just stopped may still be closing its socket
    if proc.port is not None and port_open(proc.port):
        raise DevCloudError(f"{proc.name}: port {proc.port} is in use by a process the dev cloud "
                            f"did not start (its PID files are in {p.run})")
    log_name = f"{proc.name}.uwsgi.log" if proc.is_uwsgi else f"{proc.name}.out"
    spawn(p, proc.name, proc.argv, proc.env, log_name=log_name)
    digest_file.write_text(digest)
    return verb


def wait_answering(p: Paths, proc: Proc, timeout: float = 240) -> None:
    pid = running_pid(p, proc.name)
    log_name = f"{proc.name}.uwsgi.log" if proc.is_uwsgi else f"{proc.name}.out"
    wait_until(lambda: proc.answering(p, timeout=10), timeout, proc.name,
               alive=lambda: pid is not None and running_pid(p, proc.name) == pid,
               logfile=p.logs / log_name)


# ------------------------------------------------------------------ schemas
SCHEMA_DBS = {  # marker -> databases that must hold tables
    "glance": ["glance"], "neutron": ["neutron"], "cinder": ["cinder"],
    "placement": ["placement"], "nova": ["nova_api", "nova_cell0", "nova_cell1"],
}


def markers_to_reset(p: Paths, table_counts: dict[str, int], regions: list[str]) -> None:
    """Forget schema markers whose databases are empty (dropped or recreated meanwhile)."""
    if table_counts.get(KEYSTONE_DB, 0) == 0:
        for m in (".bootstrapped", ".catalog"):
            (p.data / "keystone" / m).unlink(missing_ok=True)
    for region in regions:
        r = region_short(region)
        for svc, dbs in SCHEMA_DBS.items():
            if any(table_counts.get(f"{r}_{db}", 0) == 0 for db in dbs):
                (p.data / r / f".db-{svc}").unlink(missing_ok=True)


def keystone_schema(p: Paths) -> None:
    marker = p.data / "keystone" / ".bootstrapped"
    if marker.exists():
        return
    km = [str(p.bin / "keystone-manage"), "--config-file", str(p.etc / "keystone/keystone.conf")]
    lf = p.logs / "keystone-setup.log"
    run(km + ["db_sync"], lf, paths=p)
    if not (p.data / "keystone/fernet-keys/0").exists():
        run(km + ["fernet_setup", "--keystone-user", "root", "--keystone-group", "root"], lf,
            paths=p)
    if not (p.data / "keystone/credential-keys/0").exists():
        run(km + ["credential_setup", "--keystone-user", "root", "--keystone-group", "root"], lf,
            paths=p)
    run(km + ["bootstrap", "--bootstrap-password", PASSWORD,
              "--bootstrap-region-id", "RegionOne", "--bootstrap-admin-url", AUTH_URL,
              "--bootstrap-internal-url", AUTH_URL, "--bootstrap-public-url", AUTH_URL], lf, paths=p)
    marker.touch()


def region_schema(p: Paths, region: str, service: str) -> None:
    r = region_short(region)
    marker = p.data / r / f".db-{service}"
    if marker.exists():
        return
    e, b = p.etc / r, p.bin
    lf = p.logs / f"{r}-{service}-dbsync.log"
    if service == "glance":
        run([str(b / "glance-manage"), "--config-file", str(e / "glance/glance-api.conf"),
             "db_sync"], lf, paths=p)
    elif service == "neutron":
        run([str(b / "neutron-db-manage"), "--config-file", str(e / "neutron/neutron.conf"),
             "--config-file", str(e / "neutron/plugins/ml2/ml2_conf.ini"), "upgrade", "heads"],
            lf, paths=p)
    elif service == "cinder":
        run([str(b / "cinder-manage"), "--config-file", str(e / "cinder/cinder.conf"), "db",
             "sync"], lf, paths=p)
    elif service == "placement":
        run([str(b / "placement-manage"), "--config-file", str(e / "placement/placement.conf"),
             "db", "sync"], lf, paths=p)
    elif service == "nova":
        nm = [str(b / "nova-manage"), "--config-file", str(e / "nova/nova.conf")]
        run(nm + ["api_db", "sync"], lf, paths=p)
        run(nm + ["cell_v2", "map_cell0", "--database_connection", db_url(f"{r}_nova_cell0")],
            lf, paths=p)
        if _cell1_uuid(p, region) is None:
            run(nm + ["cell_v2", "create_cell", "--name", "cell1"], lf, paths=p)
        run(nm + ["db", "sync"], lf, paths=p)
        (p.data / r / ".nova-mq").unlink(missing_ok=True)
    marker.touch()


def _cell1_uuid(p: Paths, region: str) -> str | None:
    r = region_short(region)
    lf = p.logs / f"{r}-nova-dbsync.log"
    out = run([str(p.bin / "nova-manage"), "--config-file", str(p.etc / r / "nova/nova.conf"),
               "cell_v2", "list_cells"], lf, paths=p, capture=True).stdout
    for line in out.splitlines():
        cols = [c.strip() for c in line.split("|")]
        if len(cols) > 3 and cols[1] == "cell1":
            return cols[2]
    return None


def sync_cell_transport(p: Paths, region: str, nova_regions) -> None:
    """Nova keeps cell1's transport_url in its database (set by create_cell): after switching
    between fake:// and RabbitMQ the API would cast into nowhere unless it is updated."""
    r = region_short(region)
    mark = p.data / r / ".nova-mq"
    want = transport_url(region, nova_regions)
    if mark.exists() and mark.read_text() == want:
        return
    uuid = _cell1_uuid(p, region)
    if uuid is None:
        raise DevCloudError(f"{region}: nova cell1 is missing; see {p.logs}/{r}-nova-dbsync.log")
    run([str(p.bin / "nova-manage"), "--config-file", str(p.etc / r / "nova/nova.conf"),
         "cell_v2", "update_cell", "--cell_uuid", uuid, "--transport-url", want,
         "--database_connection", db_url(f"{r}_nova_cell1")],
        p.logs / f"{r}-nova-dbsync.log", paths=p)
    mark.write_text(want)


def discover_hosts(p: Paths, region: str) -> None:
    r = region_short(region)
    run([str(p.bin / "nova-manage"), "--config-file", str(p.etc / r / "nova/nova.conf"),
         "cell_v2", "discover_hosts"], p.logs / f"{r}-nova-dbsync.log", paths=p)
