"""MariaDB and RabbitMQ: use the server already listening on the standard port, or start
our own (own data dir, 127.0.0.1 only) and stop only that one again."""
from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import time

from . import configs
from .processes import port_open, running_pid, spawn, stop, wait_until
from .settings import (DB_USER, HOST, MYSQL_PORT, PASSWORD, PKG_DIR, RABBIT_PORT,
                       REGION_NAMES, DevCloudError, Paths, all_databases, log)
from .install import RABBIT_SERVER

OWN_DAEMONS = ["rabbitmq", "epmd", "mariadb"]   # stop order
OWN_RABBIT_NODE = "devcloud@localhost"


# ---------------------------------------------------------------- MariaDB
def sql(paths: Paths, statements: list[str]) -> list:
    p = subprocess.run([str(paths.python), "-I", str(PKG_DIR / "_venv_db.py")],
                       input=json.dumps({"port": MYSQL_PORT, "statements": statements}),
                       capture_output=True, text=True)
    if p.returncode != 0:
        raise DevCloudError(f"SQL on 127.0.0.1:{MYSQL_PORT} failed: {p.stderr.strip()[-800:]}")
    return json.loads(p.stdout)


def db_is_ours(paths: Paths) -> bool:
    return running_pid(paths, "mariadb") is not None


def ensure_mariadb(paths: Paths, nregions: int) -> str:
    """Make a MariaDB answer on MYSQL_PORT with our user and databases; 'own' or 'external'."""
    if db_is_ours(paths):
        kind = "own"
        wait_until(lambda: port_open(MYSQL_PORT), 60, "mariadb")
    elif port_open(MYSQL_PORT):
        kind = "external"
        # its defaults (151 connections, a log flush per commit) starve a dozen services with
        # connection pools and slow the schema migrations down
        sql(paths, ["SET GLOBAL max_connections = GREATEST(@@GLOBAL.max_connections, 2000)",
                    "SET GLOBAL innodb_flush_log_at_trx_commit = 0"])
    else:
        kind = "own"
        _start_own_mariadb(paths)
    stmts = [f"CREATE USER IF NOT EXISTS '{DB_USER}'@'{h}' IDENTIFIED BY '{PASSWORD}'"
             for h in ("127.0.0.1", "localhost")]
    for db in all_databases(nregions):
        stmts.append(f"CREATE DATABASE IF NOT EXISTS {db} CHARACTER SET utf8mb4")
        stmts += [f"GRANT ALL ON {db}.* TO '{DB_USER}'@'{h}'" for h in ("127.0.0.1", "localhost")]
    sql(paths, stmts)
    return kind


def _start_own_mariadb(paths: Paths) -> None:
    cnf = paths.etc / "my.cnf"
    cnf.write_text(configs.my_cnf(paths, MYSQL_PORT))
    datadir = paths.data / "mysql"
    if not (datadir / "mysql").exists():
        datadir.mkdir(parents=True, exist_ok=True)
        installer = shutil.which("mariadb-install-db", path="/usr/bin:/usr/sbin:/bin")
        if not installer:
            raise DevCloudError("mariadb-install-db not found (apt-get install mariadb-server)")
        # root without password over TCP, like the servers this machine kind comes with
        with open(paths.logs / "mysql-install.log", "ab") as f:
            subprocess.run([installer, f"--defaults-file={cnf}", "--skip-test-db",
                            "--auth-root-authentication-method=normal"],
                           stdout=f, stderr=subprocess.STDOUT, check=True)
    mariadbd = shutil.which("mariadbd", path="/usr/sbin:/usr/bin:/sbin")
    log(f"starting our own MariaDB on 127.0.0.1:{MYSQL_PORT} (data {datadir})")
    pid = spawn(paths, "mariadb", [mariadbd, f"--defaults-file={cnf}"], log_name="mysqld.out")
    wait_until(lambda: port_open(MYSQL_PORT), 90, "mariadb",
               alive=lambda: running_pid(paths, "mariadb") == pid,
               logfile=paths.logs / "mysqld.log")


def drop_databases(paths: Paths) -> None:
    """Drop our databases and user (only names of our own scheme), on any server."""
    ours = set(all_databases())
    present = {row[0] for row in sql(paths, ["SHOW DATABASES"])[0]}
    stmts = [f"DROP DATABASE IF EXISTS {db}" for db in sorted(ours & present)]
    stmts += [f"DROP USER IF EXISTS '{DB_USER}'@'{h}'" for h in ("127.0.0.1", "localhost")]
    sql(paths, stmts)
    log(f"dropped {len(ours & present)} databases")


# ---------------------------------------------------------------- RabbitMQ
def amqp_answers(port: int = RABBIT_PORT, timeout: float = 2.0) -> bool:
    """True if an AMQP 0-9-1 broker answers the protocol header with connection.start."""
    try:
        with socket.create_connection((HOST, port), timeout=timeout) as s:
            s.sendall(b"AMQP\x00\x00\x09\x01")
            data = s.recv(7)
            return len(data) == 7 and data[0] == 1
    except OSError:
        return False


def ensure_rabbitmq(paths: Paths) -> str:
    if running_pid(paths, "rabbitmq"):
        wait_until(amqp_answers, 120, "rabbitmq", logfile=paths.logs / "rabbitmq.out")
        return "own"
    if port_open(RABBIT_PORT):
        if not amqp_answers():
            raise DevCloudError(f"127.0.0.1:{RABBIT_PORT} is open but is no AMQP broker")
        return "external"   # used with guest/guest
    configs.rabbit_files(paths, RABBIT_PORT)
    (paths.etc / "rabbitmq" / "rabbitmq-env.conf").write_text("")
    home = paths.data / "rabbitmq"
    home.mkdir(parents=True, exist_ok=True)
    if not port_open(4369):
        # epmd would otherwise be spawned by the broker, detached, and outlive our `down`
        epmd = shutil.which("epmd", path="/usr/bin:/usr/lib/erlang/bin") or "epmd"
        spawn(paths, "epmd", [epmd, "-address", HOST], {"ERL_EPMD_ADDRESS": HOST})
        wait_until(lambda: port_open(4369), 10, "epmd")
    env = {
        "HOME": str(home),   # its own Erlang cookie
        "RABBITMQ_CONFIG_FILE": str(paths.etc / "rabbitmq" / "rabbitmq.conf"),
        "RABBITMQ_CONF_ENV_FILE": str(paths.etc / "rabbitmq" / "rabbitmq-env.conf"),
        "RABBITMQ_ENABLED_PLUGINS_FILE": str(paths.etc / "rabbitmq" / "enabled_plugins"),
        "RABBITMQ_MNESIA_BASE": str(home / "mnesia"),
        "RABBITMQ_LOG_BASE": str(paths.logs / "rabbitmq"),
        "RABBITMQ_PID_FILE": str(paths.run / "rabbitmq.own.pid"),
        "RABBITMQ_NODENAME": OWN_RABBIT_NODE,
        "RABBITMQ_NODE_IP_ADDRESS": HOST, "RABBITMQ_NODE_PORT": str(RABBIT_PORT),
        "RABBITMQ_DIST_PORT": str(RABBIT_PORT + 20000), "ERL_EPMD_ADDRESS": HOST,
        "RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS": "-kernel inet_dist_use_interface {127,0,0,1}",
    }
    log(f"starting our own RabbitMQ on 127.0.0.1:{RABBIT_PORT}")
    pid = spawn(paths, "rabbitmq", [str(RABBIT_SERVER)], env, log_name="rabbitmq.out")
    t0 = time.monotonic()
    wait_until(amqp_answers, 120, "rabbitmq", alive=lambda: running_pid(paths, "rabbitmq") == pid,
               logfile=paths.logs / "rabbitmq.out", interval=0.5)
    log(f"rabbitmq up ({time.monotonic() - t0:.1f}s)")
    return "own"


# ---------------------------------------------------------------- notification queues
# Every service publishes into <topic>.<priority> (notifications_r1.info, ...) whether or not an
# Albatross listens: bound them so that they do not grow without end on a developer's broker.
NOTIFICATION_POLICY = "albatross-devcloud-notifications"
NOTIFICATION_LIMITS = {"max-length": 10000, "overflow": "drop-head"}


def notification_queue_pattern() -> str:
    """Only the services' notification queues of every possible region and Keystone, e.g.
    ^(notifications_identity|notifications_r1|...)\\. (never albatross-events-<region>,
    Celery's queues or Nova's RPC queues)."""
    topics = [configs.IDENTITY_NOTIFICATION_TOPIC] + [configs.notification_topic(r)
                                                     for r in REGION_NAMES]
    return "^(" + "|".join(topics) + r")\."


def rabbitmqctl_command(paths: Paths, kind: str) -> tuple[list[str], dict | None]:
    """(argv prefix, env) of a rabbitmqctl that reaches the dev cloud's broker; argv is empty
    if there is none. Our own broker: its node name and Erlang cookie (its HOME), the CLI
    called directly (Debian's /usr/sbin wrapper would `su rabbitmq` and lose both). The
    machine's broker: the rabbitmqctl on PATH (or in /usr/sbin), its default node."""
    if kind == "own":
        cli = RABBIT_SERVER.parent / "rabbitmqctl"
        env = {**os.environ, "HOME": str(paths.data / "rabbitmq"),
               "RABBITMQ_CONF_ENV_FILE": str(paths.etc / "rabbitmq" / "rabbitmq-env.conf")}
        usable = cli.exists() and (paths.data / "rabbitmq" / ".erlang.cookie").exists()
        return ([str(cli), "-n", OWN_RABBIT_NODE] if usable else []), env
    cli = (shutil.which("rabbitmqctl")
           or shutil.which("rabbitmqctl", path="/usr/sbin:/usr/local/sbin:/sbin"))
    return ([cli] if cli else []), None


class _NoCtl(Exception):
    """No usable rabbitmqctl for the dev cloud's broker (the reason)."""


def _broker_ctl(paths: Paths, kind: str):
    """A function running one rabbitmqctl command on the dev cloud's broker, after checking
    that the node it reaches is the one on RABBIT_PORT; raises _NoCtl(why) otherwise."""
    argv, env = rabbitmqctl_command(paths, kind)
    if not argv:
        raise _NoCtl("no rabbitmqctl (or, for our own broker, its Erlang cookie) found")

    def ctl(*args: str) -> subprocess.CompletedProcess:
        # cwd: where a failing Erlang CLI leaves its erl_crash.dump
        return subprocess.run([*argv, "-q", *args], env=env, cwd=paths.logs,
                              capture_output=True, text=True, timeout=60,
                              stdin=subprocess.DEVNULL)

    st = ctl("status", "--formatter", "json")
    if st.returncode != 0:
        raise _NoCtl(f"rabbitmqctl status: {(st.stderr or st.stdout).strip()[-300:]}")
    ports = {int(x["port"]) for x in json.loads(st.stdout).get("listeners", [])
             if x.get("protocol") == "amqp"}
    if RABBIT_PORT not in ports:
        raise _NoCtl(f"rabbitmqctl's node listens on AMQP port(s) {sorted(ports)}, "
                     f"not on {RABBIT_PORT}")
    return ctl


def _failed(r: subprocess.CompletedProcess, what: str) -> str | None:
    return None if r.returncode == 0 else f"{what}: {(r.stderr or r.stdout).strip()[-300:]}"


def bound_notification_queues(paths: Paths, kind: str) -> bool:
    """Set (idempotently) the RabbitMQ policy that bounds the notification queues. Only warns
    on failure (no rabbitmqctl, not allowed to use it, another node than ours): it must never
    make `up` fail."""
    def warn(why: str) -> bool:
        log(f"WARNING: notification queues left unbounded (policy {NOTIFICATION_POLICY} "
            f"not set): {why}")
        return False

    try:
        ctl = _broker_ctl(paths, kind)
        why = _failed(ctl("set_policy", "--apply-to", "queues", NOTIFICATION_POLICY,
                          notification_queue_pattern(),
                          json.dumps(NOTIFICATION_LIMITS, separators=(",", ":"))),
                      "rabbitmqctl set_policy")
        if why:
            return warn(why)
        log(f"notification queues bounded: policy {NOTIFICATION_POLICY} "
            f"{notification_queue_pattern()} {json.dumps(NOTIFICATION_LIMITS)}")
        return True
    except _NoCtl as e:
        return warn(str(e))
    except Exception as e:  # noqa: BLE001  (a warning, never a failed `up`)
        return warn(f"{type(e).__name__}: {e}")


def ensure_vhosts(paths: Paths, kind: str, vhosts: list[str]) -> bool:
    """Make the RPC virtual hosts exist, usable by guest (idempotent). False, with a warning,
    when they cannot be made: the regions that need one then run Nova's API only."""
    if not vhosts:
        return True
    try:
        ctl = _broker_ctl(paths, kind)
        listed = ctl("list_vhosts", "--formatter", "json")
        why = _failed(listed, "rabbitmqctl list_vhosts")
        have = {v["name"] for v in json.loads(listed.stdout)} if not why else set()
        for vhost in vhosts:
            if why:
                break
            if vhost not in have:
                why = _failed(ctl("add_vhost", vhost), f"rabbitmqctl add_vhost {vhost}")
            why = why or _failed(ctl("set_permissions", "-p", vhost, "guest", ".*", ".*", ".*"),
                                 f"rabbitmqctl set_permissions -p {vhost}")
    except _NoCtl as e:
        why = str(e)
    except Exception as e:  # noqa: BLE001  (the fallback is fewer full-Nova regions)
        why = f"{type(e).__name__}: {e}"
    if why:
        log(f"WARNING: RabbitMQ virtual hosts {vhosts} not made ({why}); full Nova runs in "
            "RegionOne only")
    return why is None


def stop_own(paths: Paths) -> list[str]:
    """Stop the MariaDB / RabbitMQ / epmd we started (never an external one)."""
    stopped = []
    for name in OWN_DAEMONS:
        stopped += stop(paths, [name], sig_for=lambda _n: signal.SIGTERM, grace=30)
    return stopped
