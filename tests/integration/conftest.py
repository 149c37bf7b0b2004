"""Integration tests: the real dev cloud (Keystone + N regions of Nova, Glance, Neutron,
Cinder, Placement), real Keystone tokens, Albatross as real processes. The dev cloud comes up
once per run (idempotent: reused when already running)."""
import copy
import datetime
import http.server
import json
import os
import threading
import time
import uuid

import openstack
import pytest
import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519
from keystoneauth1 import session as ks_session
from keystoneauth1.identity import v3

from albatross.devcloud import DevCloud
from albatross.timestamps import iso
from tests.integration.projects import cloud, project  # noqa: F401  (fixtures)
from tests.integration.server import start_albatross
from tests.answers import check_requests

REGIONS = int(os.environ.get("ALBATROSS_TEST_REGIONS", "3"))


@pytest.fixture(scope="session")
def devcloud() -> dict:
    dev_cloud = DevCloud(regions=REGIONS)
    dev_cloud.up()
    info = dev_cloud.info()
    info["cloud"] = dev_cloud
    return info


class User:
    """A real Keystone user: token, ids, an openstacksdk connection per region, and an
    HTTP client for the Albatross API."""

    def __init__(self, info: dict, name: str):
        self.info, self.name = info, name
        auth = v3.Password(auth_url=info["auth_url"], username=name,
                           password=info["password"],
                           project_name=info["users"][name]["project"],
                           user_domain_name="Default", project_domain_name="Default")
        self.session = ks_session.Session(auth=auth)
        access = auth.get_access(self.session)
        self.token, self.user_id, self.project_id = (access.auth_token, access.user_id,
                                                     access.project_id)
        self._conns: dict[str, openstack.connection.Connection] = {}
        self.base_url = None

    def conn(self, region: str):
        if region not in self._conns:
            self._conns[region] = openstack.connection.Connection(
                session=self.session, region_name=region)
        return self._conns[region]

    def call(self, method: str, path: str, **kwargs) -> requests.Response:
        headers = {"X-Auth-Token": self.token, **kwargs.pop("headers", {})}
        resp = requests.request(method, self.base_url + path, headers=headers, timeout=60,
                                **kwargs)
        check_requests(method, resp)
        return resp

    def new_keypair(self, region: str, prefix: str = "kp") -> tuple[str, str]:
        name = f"{prefix}-{uuid.uuid4().hex[:10]}"
        key = public_key()
        self.conn(region).compute.create_keypair(name=name, public_key=key)
        return name, key


def public_key() -> str:
    raw = ed25519.Ed25519PrivateKey.generate().public_key().public_bytes(
        serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH)
    return raw.decode() + " albatross-test"


class WebhookReceiver:
    """Records the JSON bodies POSTed to it (the quota soft-limit webhook)."""

    def __init__(self):
        received = self.received = []

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture(scope="session")
def webhook() -> WebhookReceiver:
    return WebhookReceiver()


def event_sources(devcloud: dict) -> dict:
    """[events] options that make Albatross listen to every region's notifications (and
    Keystone's, as `identity`) on the dev cloud's RabbitMQ."""
    sources = dict(devcloud.get("notifications") or {})
    if not sources:
        return {}
    sources["identity"] = {"url": next(iter(sources.values()))["url"],
                           "topic": "notifications_identity"}
    return {"notification_urls": ",".join(f"{r}={n['url']}" for r, n in sources.items()),
            "notification_topics": ",".join(f"{r}:{n['topic']}" for r, n in sources.items())}


@pytest.fixture(scope="session")
def albatross(devcloud, tmp_path_factory, webhook):
    """One `albatross serve` (API + embedded worker, SQLite) for the run."""
    server = start_albatross(devcloud, tmp_path_factory.mktemp("albatross"),
                             {"quota": {"webhook_url": webhook.url},
                              "events": event_sources(devcloud)})
    wait_for_event_listeners(devcloud)
    yield server
    server.stop()
    drop_event_queues(devcloud)


def _event_queues(devcloud: dict) -> tuple[str | None, list[str]]:
    sources = devcloud.get("notifications") or {}
    if not sources:
        return None, []
    url = next(iter(sources.values()))["url"].replace("rabbit://", "amqp://", 1)
    return url, [f"albatross-events-{r}" for r in [*sources, "identity"]]


def wait_for_event_listeners(devcloud: dict, timeout: float = 60) -> None:
    """Listeners start in the background: notifications sent before their queues exist are
    not theirs. Wait until every region's queue has its consumer."""
    import kombu
    url, queues = _event_queues(devcloud)
    if not queues:
        return
    deadline = time.monotonic() + timeout
    with kombu.Connection(url) as conn:
        for queue in queues:
            while True:
                try:
                    _name, _messages, consumers = conn.channel().queue_declare(
                        queue, passive=True)
                    if consumers:
                        break
                except Exception:  # not declared yet
                    pass
                assert time.monotonic() < deadline, f"no listener on {queue}"
                time.sleep(0.2)


def drop_event_queues(devcloud: dict) -> None:
    """Nobody consumes the notifications once the test server is gone: drop its queues and
    empty the services' own, so that the shared broker does not fill up run after run."""
    sources = devcloud.get("notifications") or {}
    if not sources:
        return
    import kombu
    url = next(iter(sources.values()))["url"].replace("rabbit://", "amqp://", 1)
    with kombu.Connection(url) as conn:
        channel = conn.default_channel
        for region, n in [*sources.items(), ("identity", {"topic": "notifications_identity"})]:
            channel.queue_delete(f"albatross-events-{region}")
            for priority in ("info", "error", "warn"):
                try:
                    channel.queue_purge(f"{n['topic']}.{priority}")
                except Exception:  # never declared (no such notifications yet)
                    channel = conn.channel()


@pytest.fixture(scope="session")
def users(devcloud, albatross) -> dict[str, User]:
    out = {}
    for name in ("admin", "demo", "demo-reader", "alt"):
        out[name] = User(devcloud, name)
        out[name].base_url = albatross.url
    return out


@pytest.fixture(scope="session", autouse=True)
def fresh_keypairs(devcloud):
    """The dev cloud outlives test runs: start every run with no keypairs for the test users
    and a keypair quota that a run cannot exhaust."""
    admin = User(devcloud, "admin")
    for name in ("demo", "alt", "admin"):
        user = admin if name == "admin" else User(devcloud, name)
        for region in devcloud["regions"]:
            compute = user.conn(region).compute
            for kp in list(compute.keypairs()):
                compute.delete_keypair(kp.name)
            if name != "admin":
                admin.conn(region).compute.update_quota_set(
                    user.project_id, key_pairs=1000)


@pytest.fixture(scope="session")
def regions(devcloud) -> list[str]:
    return devcloud["regions"]


def wait_job(user: User, job_id: str, timeout: float = 90) -> dict:
    """Poll the job's counts (as the CLI does), then read it with its tasks."""
    deadline = time.monotonic() + timeout
    while True:
        job = user.call("GET", f"/v1/jobs/{job_id}", params={"tasks_limit": 0}).json()["job"]
        if job["status"] in ("SUCCESS", "FAILED") or time.monotonic() > deadline:
            return user.call("GET", f"/v1/jobs/{job_id}").json()["job"]
        time.sleep(0.2)


def at(user: User, base_url: str) -> User:
    """The same user, calling another Albatross server."""
    other = copy.copy(user)
    other.base_url = base_url
    return other


def now_iso() -> str:
    """Now as the API writes times (compare with its started_at)."""
    return iso(datetime.datetime.now(datetime.UTC).replace(tzinfo=None))


def wait_looked_at(admin: User, kind: str, key: str, since: str, timeout: float = 60) -> dict:
    """Wait until `kind`'s controller has run for `key` from start to end after `since`: the
    event a test waits on to say something did NOT happen (instead of sleeping)."""
    deadline = time.monotonic() + timeout
    while True:
        resp = admin.call("GET", "/v1/work-items", params={"kind": kind, "key": key})
        assert resp.status_code == 200, resp.text
        done = [i for i in resp.json()["items"] if i["status"] != "running"
                and (i["started_at"] or "") >= since
                and (i["finished_at"] or "") >= i["started_at"]]
        if done:
            return done[0]
        assert time.monotonic() < deadline, f"{kind} never looked at {key} after {since}"
        time.sleep(0.2)


def wait_resynced(admin: User, kind: str, since: str, timeout: float = 60) -> None:
    """Wait until the resync has asked `kind` what is due after `since`, and every item it
    queued then has run: whatever that controller would do by itself, it has done."""
    deadline = time.monotonic() + timeout
    while True:
        passes = admin.call("GET", "/v1/work-items", params={"kind": "resync", "key": kind})
        assert passes.status_code == 200, passes.text
        if any((p["started_at"] or "") >= since for p in passes.json()["items"]):
            active = admin.call("GET", "/v1/work-items", params={"kind": kind,
                                                                 "active": "true"})
            if not [i for i in active.json()["items"] if (i["due_at"] or "") <= now_iso()]:
                return
        assert time.monotonic() < deadline, f"no resync of {kind} done after {since}"
        time.sleep(0.2)
