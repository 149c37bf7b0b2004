"""Albatross processes for integration tests: `albatross serve` and `albatross worker` as real
subprocesses with their own config file, against the real dev cloud."""
import os
import signal
import socket
import subprocess
import sys
import time

import requests

ALBATROSS = [sys.executable, "-m", "albatross.cmd.main"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def write_config(path, *, db_url: str, port: int, clouds_yaml: str, auth_url: str,
                 password: str, extra: dict | None = None) -> str:
    sections = {
        "database": {"connection": db_url},
        "api": {"bind_port": port},
        "regions": {"cloud": "devcloud-albatross", "clouds_yaml": clouds_yaml},
        "jobs": {"lease_seconds": 4, "poll_interval": 0.2, "max_attempts": 2,
                 "retry_backoff": 0.5},
        # only explicit rebalances: a periodic one would reset every project of the cloud
        "quota": {"rebalance_interval": 0},
        "sync": {"audit_check_interval": 2},
        # tests change Neutron and look at once (the limit itself: test_addresses_api)
        "addresses": {"min_read_interval": 0},
        "keystone_authtoken": {
            "www_authenticate_uri": auth_url.rsplit("/v3", 1)[0],
            "auth_url": auth_url.rsplit("/v3", 1)[0], "auth_type": "password",
            "project_domain_name": "Default", "user_domain_name": "Default",
            "project_name": "service", "username": "albatross", "password": password},
    }
    for section, values in (extra or {}).items():
        sections.setdefault(section, {}).update(values)
    with open(path, "w") as f:
        for section, values in sections.items():
            f.write(f"[{section}]\n")
            for k, v in values.items():
                f.write(f"{k} = {v}\n")
    return str(path)


class Process:
    """A child process whose output goes to a log file the test can read afterwards."""

    def __init__(self, args: list[str], log_path, env=None):
        self.args, self.log_path = args, str(log_path)
        self.env = {**os.environ, **(env or {})}
        self.proc: subprocess.Popen | None = None

    def start(self):
        log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(self.args, stdout=log, stderr=subprocess.STDOUT,
                                     env=self.env, start_new_session=True)
        return self

    def kill(self, sig=signal.SIGKILL):
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, sig)
            if sig in (signal.SIGKILL, signal.SIGTERM):
                self.proc.wait(20)

    def stop(self):
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.kill()

    def log(self) -> str:
        with open(self.log_path, errors="replace") as f:
            return f.read()


class Server(Process):
    def __init__(self, config: str, port: int, log_path):
        super().__init__(ALBATROSS + ["--config-file", config, "serve"], log_path)
        self.config = config
        self.url = f"http://127.0.0.1:{port}"

    def start(self, timeout: float = 30):
        super().start()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"albatross serve exited:\n{self.log()[-3000:]}")
            try:
                if requests.get(self.url + "/", timeout=1).status_code == 200:
                    return self
            except requests.RequestException:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"albatross serve did not answer:\n{self.log()[-3000:]}")


def db_upgrade(config: str):
    subprocess.run(ALBATROSS + ["--config-file", config, "db", "upgrade"], check=True,
                   capture_output=True)


def start_albatross(info: dict, tmp, extra: dict | None = None,
                    name: str = "albatross") -> Server:
    """An `albatross serve` of its own on the dev cloud (`info`: DevCloud().info()): its
    config, SQLite database and log as NAME.conf, NAME.sqlite and NAME.log in `tmp`, a free
    port, the database upgraded; `extra`: more config sections."""
    port = free_port()
    config = write_config(tmp / f"{name}.conf", db_url=f"sqlite:///{tmp}/{name}.sqlite",
                          port=port, clouds_yaml=info["clouds_yaml"], auth_url=info["auth_url"],
                          password=info["password"], extra=extra)
    db_upgrade(config)
    return Server(config, port, tmp / f"{name}.log").start()
