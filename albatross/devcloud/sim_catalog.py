"""A Keystone of its own for the region simulator (docs/decisions/0005): the dev cloud's
Keystone code on another port and database, whose catalog names N simulated regions. Tokens
are real; the catalog is written in bulk (thousands of regions in seconds, where one API call
per endpoint would take minutes); the dev cloud's own Keystone, and the tests on it, never
see these regions."""
from __future__ import annotations

import hashlib
import json
import sys
import uuid

import yaml

from .backing import sql
from .processes import http_answers, run, running_pid, spawn, stop, uwsgi_argv, wait_until
from .services import Proc, ensure_proc, wait_answering
from .settings import DB_USER, HOST, PASSWORD, PORT_OFFSET, Paths, db_url, log

SIM_KEYSTONE_PORT = 5001 + PORT_OFFSET
SIM_AUTH_URL = f"http://{HOST}:{SIM_KEYSTONE_PORT}/v3"
SIM_KEYSTONE_DB = "devcloud_keystone_sim"
SIM_PORT = 8990 + PORT_OFFSET
SIM_URL = f"http://{HOST}:{SIM_PORT}"
# service type, name, the endpoint's path below the simulator's /<region>
SERVICES = (("compute", "nova", "compute/v2.1"), ("network", "neutron", "network"),
            ("volumev3", "cinderv3", "volume/v3/%(project_id)s"),
            ("block-storage", "cinder", "volume/v3/%(project_id)s"),
            ("image", "glance", "image"), ("placement", "placement", "placement"))
ROWS_PER_INSERT = 1000
CATALOG_FORMAT = 3   # a change to what _catalog writes: written again on the next `up`


def _dirs(p: Paths):
    return p.etc / "keystone-sim", p.data / "keystone-sim"


def _conf(p: Paths) -> str:
    etc, data = _dirs(p)
    return "\n".join([
        "[DEFAULT]", f"log_file = {p.logs / 'keystone-sim.log'}",
        "[database]", f"connection = {db_url(SIM_KEYSTONE_DB)}",
        "[identity]", "password_hash_rounds = 4",
        "[token]", "provider = fernet",
        "[fernet_tokens]", f"key_repository = {data / 'fernet-keys'}",
        "[credential]", f"key_repository = {data / 'credential-keys'}",
        "[cache]", "enabled = true", "backend = oslo_cache.dict", ""])


def _schema(p: Paths, first_region: str) -> None:
    etc, data = _dirs(p)
    marker = data / ".bootstrapped"
    if marker.exists():
        return
    km = [str(p.bin / "keystone-manage"), "--config-file", str(etc / "keystone.conf")]
    lf = p.logs / "keystone-sim-setup.log"
    run(km + ["db_sync"], lf, paths=p)
    for what in ("fernet_setup", "credential_setup"):
        run(km + [what, "--keystone-user", "root", "--keystone-group", "root"], lf, paths=p)
    run(km + ["bootstrap", "--bootstrap-password", PASSWORD,
              "--bootstrap-region-id", first_region, "--bootstrap-public-url", SIM_AUTH_URL,
              "--bootstrap-internal-url", SIM_AUTH_URL, "--bootstrap-admin-url", SIM_AUTH_URL],
        lf, paths=p)
    marker.touch()


def _quoted(value) -> str:
    return "NULL" if value is None else "'" + str(value).replace("\\", "\\\\").replace(
        "'", "\\'") + "'"


def _inserts(table: str, columns: tuple, rows: list[tuple]) -> list[str]:
    out = []
    for i in range(0, len(rows), ROWS_PER_INSERT):
        values = ",".join("(" + ",".join(_quoted(v) for v in row) + ")"
                          for row in rows[i:i + ROWS_PER_INSERT])
        out.append(f"INSERT INTO {SIM_KEYSTONE_DB}.{table} ({','.join(columns)}) "
                   f"VALUES {values}")
    return out


def _catalog(p: Paths, regions: list[str], sim_url: str) -> None:
    """Every simulated service of every region, and Keystone itself in each (as a cloud
    registers it, so that a client scoped to any region finds identity), replacing what an
    earlier run wrote (the rows marked as the simulator's)."""
    db, mark = SIM_KEYSTONE_DB, json.dumps({"sim": True})
    types = ",".join(_quoted(t) for t, _n, _path in SERVICES)
    stmts = [f"DELETE FROM {db}.endpoint WHERE extra = {_quoted(mark)} OR service_id IN "
             f"(SELECT id FROM {db}.service WHERE type IN ({types}))",
             f"DELETE FROM {db}.service WHERE type IN ({types})",
             f"DELETE FROM {db}.region WHERE id NOT IN "
             f"(SELECT DISTINCT region_id FROM {db}.endpoint WHERE region_id IS NOT NULL)"]
    services = [(uuid.uuid4().hex, t, 1, json.dumps({"name": n})) for t, n, _ in SERVICES]
    stmts += _inserts("service", ("id", "type", "enabled", "extra"), services)
    stmts += [f"INSERT IGNORE INTO {db}.region (id, description, extra) VALUES "
              + ",".join(f"({_quoted(r)}, '', '{{}}')" for r in regions[i:i + ROWS_PER_INSERT])
              for i in range(0, len(regions), ROWS_PER_INSERT)]
    endpoints = [(uuid.uuid4().hex, "public", sid, f"{sim_url}/{r}/{path}", mark, 1, r)
                 for r in regions for (sid, _t, _e, _x), (_t2, _n, path)
                 in zip(services, SERVICES)]
    stmts += _inserts("endpoint", ("id", "interface", "service_id", "url", "extra", "enabled",
                                   "region_id"), endpoints)
    [[[identity]]] = sql(p, [f"SELECT id FROM {db}.service WHERE type = 'identity'"])
    stmts += _inserts("endpoint", ("id", "interface", "service_id", "url", "extra", "enabled",
                                   "region_id"),
                      [(uuid.uuid4().hex, "public", identity, SIM_AUTH_URL, mark, 1, r)
                       for r in regions[1:]])   # the first has Keystone's own (bootstrap)
    sql(p, stmts)


def clouds_yaml(p: Paths) -> str:
    path = p.etc / "clouds-sim.yaml"
    path.write_text(yaml.safe_dump({"clouds": {"sim-admin": {
        "auth": {"auth_url": SIM_AUTH_URL, "username": "admin", "password": PASSWORD,
                 "project_name": "admin", "user_domain_name": "Default",
                 "project_domain_name": "Default"},
        "identity_api_version": 3, "interface": "public"}}}))
    return str(path)


def up(p: Paths, regions: list[str], sim_url: str) -> dict:
    """The simulator's Keystone answering, with `regions` in its catalog pointing at
    `sim_url`; returns where to find it."""
    etc, data = _dirs(p)
    for d in (etc, data):
        d.mkdir(parents=True, exist_ok=True)
    sql(p, [f"CREATE DATABASE IF NOT EXISTS {SIM_KEYSTONE_DB} CHARACTER SET utf8mb4"]
        + [f"GRANT ALL ON {SIM_KEYSTONE_DB}.* TO '{DB_USER}'@'{h}'"
           for h in ("127.0.0.1", "localhost")])
    conf = _conf(p)
    (etc / "keystone.conf").write_text(conf)
    _schema(p, regions[0])
    # the catalog is written again only when it changes, and then Keystone restarts (its
    # cache holds the old one)
    catalog = hashlib.sha256(json.dumps([CATALOG_FORMAT, regions, sim_url, SERVICES]).encode())
    catalog, marker = catalog.hexdigest()[:16], data / ".catalog"
    if not marker.exists() or marker.read_text() != catalog:
        _catalog(p, regions, sim_url.rstrip("/"))
        marker.write_text(catalog)
    proc = Proc("keystone-sim", "shared", "keystone", SIM_KEYSTONE_PORT,
                uwsgi_argv(p, "keystone-sim", SIM_KEYSTONE_PORT, "keystone.wsgi.api:application"),
                {"OS_KEYSTONE_CONFIG_DIR": str(etc)})
    verb = ensure_proc(p, proc, hashlib.sha256((catalog + conf).encode()).hexdigest()[:16])
    wait_answering(p, proc)
    log(f"simulator Keystone {verb} on {SIM_AUTH_URL}: {len(regions)} regions at {sim_url}")
    return {"auth_url": SIM_AUTH_URL, "clouds_yaml": clouds_yaml(p), "cloud": "sim-admin",
            "regions": len(regions)}


def simulate(p: Paths, n: int, rtt_ms: float = 0.0) -> dict:
    """`albatross devcloud sim --regions N`: the simulator (N regions, named as
    regionsim.region_names does) and its Keystone, both answering; restarts the simulator
    when N or the round trip changes, or the catalog format (a simulator older than the
    services its catalog names would not answer them; its state is in memory: a restart
    empties it)."""
    from albatross.regionsim.__main__ import region_names
    regions = region_names(n)
    argv = [sys.executable, "-m", "albatross.regionsim", "--regions", str(n), "--host", HOST,
            "--port", str(SIM_PORT), "--rtt-ms", str(rtt_ms)]
    marker, wanted = p.run / "regionsim.argv", json.dumps([CATALOG_FORMAT, argv])
    if running_pid(p, "regionsim") is not None and (
            not marker.exists() or marker.read_text() != wanted):
        stop(p, ["regionsim"])
    if running_pid(p, "regionsim") is None:
        spawn(p, "regionsim", argv, log_name="regionsim.log")
        marker.write_text(wanted)
    wait_until(lambda: http_answers(f"{SIM_URL}/_sim/regions", 3), 60, "regionsim",
               logfile=p.logs / "regionsim.log")
    return {**up(p, regions, SIM_URL), "simulator": SIM_URL, "region_names": regions}
