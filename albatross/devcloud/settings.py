"""Paths, names, ports and the small persistent state of the dev cloud.

Everything lives below one base directory (``$ALBATROSS_DEVCLOUD_BASE``,
default ``/var/tmp/albatross-devcloud``)::

    venv/   the OpenStack venv (kept by ``down --purge``)
    etc/    generated configuration, clouds.yaml
    data/   service data (glance images, nova state, keystone keys, markers)
    logs/   one log per service
    run/    PID files and state.json
"""
from __future__ import annotations

import json
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path

DEFAULT_BASE = "/var/tmp/albatross-devcloud"
HOST = "127.0.0.1"
PASSWORD = "secret"
# Shifts every OpenStack port (Keystone too), so that a second dev cloud (another base, own
# MariaDB/RabbitMQ ports) can run beside the first one. Default 0.
PORT_OFFSET = int(os.environ.get("ALBATROSS_DEVCLOUD_PORT_OFFSET", "0"))
KEYSTONE_PORT = 5000 + PORT_OFFSET
AUTH_URL = f"http://{HOST}:{KEYSTONE_PORT}/v3"
DEFAULT_ALBATROSS_URL = "http://127.0.0.1:8118"
# MariaDB / RabbitMQ ports: an already running server there is used, else our own is started.
MYSQL_PORT = int(os.environ.get("ALBATROSS_DEVCLOUD_DB_PORT", "3306"))
RABBIT_PORT = int(os.environ.get("ALBATROSS_DEVCLOUD_RABBIT_PORT", "5672"))
DB_USER = "devcloud"
RABBIT_URL = f"rabbit://guest:guest@{HOST}:{RABBIT_PORT}/"
# Regions that run all of Nova (conductor, scheduler, compute) with `--full-nova`; the others
# run its API only. Nova's RPC queues have fixed names ("conductor", "compute", ...), so each
# such region has a RabbitMQ virtual host of its own (RegionOne the default one); every
# region's notifications go to the default virtual host, one topic per region.
FULL_NOVA_REGIONS = ("RegionOne", "RegionTwo")

REGION_NAMES = ["RegionOne", "RegionTwo", "RegionThree", "RegionFour"]
MAX_REGIONS = len(REGION_NAMES)

# API services per region: RegionOne port; region i (0-based) adds i*100.
API_PORTS = {"glance": 9292, "neutron": 9696, "nova": 8774, "cinder": 8776, "placement": 8778}
API_SERVICES = list(API_PORTS)
# Extra processes of the full-Nova region (no port).
NOVA_DAEMONS = ["nova-conductor", "nova-scheduler", "nova-compute"]

# Test users: name -> (project, role). All share PASSWORD, domain Default.
USERS = {
    "admin": {"project": "admin", "role": "admin"},
    "albatross": {"project": "service", "role": "admin"},   # + role service
    "demo": {"project": "demo", "role": "member"},
    "demo-reader": {"project": "demo", "role": "reader"},
    "alt": {"project": "alt", "role": "member"},
}

# OpenStack releases the dev cloud runs (the venv is pinned further by constraints.txt).
PINNED = {
    "keystone": "30.0.0",
    "glance": "33.0.0",
    "nova": "34.0.0",
    "neutron": "29.0.0",
    "cinder": "29.0.0",
    "openstack-placement": "16.0.0",
}
UNPINNED = ["uWSGI", "PyMySQL", "openstacksdk"]
FAKEBIND_DIST = "albatross-devcloud-fakebind"
FAKEBIND_DRIVER = "albatross_fakebind"   # ML2 mechanism driver entry point name

PKG_DIR = Path(__file__).resolve().parent


def log(msg: str) -> None:
    print(f"[devcloud {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


class DevCloudError(RuntimeError):
    """Something in the dev cloud could not be set up or did not come up."""


def region_name(index: int) -> str:
    return REGION_NAMES[index]


def region_index(region: str) -> int:
    try:
        return REGION_NAMES.index(region)
    except ValueError:
        raise DevCloudError(f"unknown region {region!r}; known: {', '.join(REGION_NAMES)}") from None


def region_short(region: str) -> str:
    return f"r{region_index(region) + 1}"


def port_of(region: str, service: str) -> int:
    return API_PORTS[service] + 100 * region_index(region) + PORT_OFFSET


def rpc_vhost(region: str) -> str:
    """The RabbitMQ virtual host of a full-Nova region's RPC ('/' is the default one)."""
    return "/" if region == FULL_NOVA_REGIONS[0] else f"devcloud-{region_short(region)}"


def rpc_url(region: str) -> str:
    vhost = rpc_vhost(region)
    return RABBIT_URL if vhost == "/" else RABBIT_URL + vhost


def region_databases(region: str) -> list[str]:
    r = region_short(region)
    return [f"{r}_{n}" for n in ("glance", "neutron", "nova_api", "nova_cell0", "nova_cell1",
                                 "cinder", "placement")]


KEYSTONE_DB = "devcloud_keystone"


def all_databases(nregions: int = MAX_REGIONS) -> list[str]:
    dbs = [KEYSTONE_DB]
    for name in REGION_NAMES[:nregions]:
        dbs += region_databases(name)
    return dbs


def db_url(db: str) -> str:
    return f"mysql+pymysql://{DB_USER}:{PASSWORD}@{HOST}:{MYSQL_PORT}/{db}?charset=utf8mb4"


@dataclass
class Paths:
    base: Path

    @classmethod
    def from_env(cls, base: str | os.PathLike | None = None) -> "Paths":
        b = base or os.environ.get("ALBATROSS_DEVCLOUD_BASE") or DEFAULT_BASE
        return cls(Path(b).absolute())

    @property
    def venv(self) -> Path:
        return self.base / "venv"

    @property
    def bin(self) -> Path:
        return self.venv / "bin"

    @property
    def python(self) -> Path:
        return self.bin / "python"

    @property
    def etc(self) -> Path:
        return self.base / "etc"

    @property
    def data(self) -> Path:
        return self.base / "data"

    @property
    def logs(self) -> Path:
        return self.base / "logs"

    @property
    def run(self) -> Path:
        return self.base / "run"

    @property
    def clouds_yaml(self) -> Path:
        return self.etc / "clouds.yaml"

    @property
    def state_file(self) -> Path:
        return self.run / "state.json"

    def pidfile(self, name: str) -> Path:
        return self.run / f"{name}.pid"

    def makedirs(self) -> None:
        for d in (self.etc, self.data, self.logs, self.run):
            d.mkdir(parents=True, exist_ok=True)


def load_state(paths: Paths) -> dict:
    try:
        return json.loads(paths.state_file.read_text())
    except (OSError, ValueError):
        return {}


def save_state(paths: Paths, state: dict) -> None:
    paths.run.mkdir(parents=True, exist_ok=True)
    tmp = paths.state_file.with_suffix(".tmp")
    tmp.write_text(json.dumps(state, indent=2, sort_keys=True) + "\n")
    tmp.replace(paths.state_file)
