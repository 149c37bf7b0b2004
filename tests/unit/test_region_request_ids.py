"""Region calls carry the request id: which ids are accepted, copies that send the header and
never close the shared session, the registry's reuse of them, the API request scope (also in
fan_out's threads) and the executor's binding of a task to its job's id. A local HTTP server
stands for a region's Nova: it records the X-OpenStack-Request-ID of every call."""
import gc
import http.server
import json
import threading
import time
import uuid
import weakref

import pytest
from keystoneauth1 import noauth
from keystoneauth1 import session as ks_session

from albatross.jobs.executor import TaskExecutor
from albatross.db.jobs import JobStore, TaskSpec
from albatross import request_ids
from albatross.regions.registry import Region, RegionRegistry
from albatross.regions.traced import traced_copy


def rid() -> str:
    return f"req-{uuid.uuid4()}"


@pytest.fixture(scope="module")
def nova():
    """Answers Nova's version document and an empty keypair list; `seen` has (path, header)."""
    seen: list[tuple[str, str | None]] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            if self.path.rstrip("/") == "/v2.1":
                body = {"version": {"id": "v2.1", "status": "CURRENT", "version": "2.1",
                                    "min_version": "2.1",
                                    "links": [{"rel": "self", "href": f"{url}/v2.1/"}]}}
            else:
                seen.append((self.path, self.headers.get("X-OpenStack-Request-ID")))
                body = {"keypairs": []}
            raw = json.dumps(body).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(raw)))
            self.end_headers()
            self.wfile.write(raw)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    url = f"http://127.0.0.1:{server.server_port}"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    server.seen, server.endpoint = seen, f"{url}/v2.1"
    yield server
    server.shutdown()


def sent(nova, conn) -> str | None:
    """The request id header of one call made with `conn`."""
    before = len(nova.seen)
    conn.compute.get("/os-keypairs")
    return nova.seen[before][1]


@pytest.fixture
def registry(nova, tmp_path):
    """Two regions served by `nova`, without a catalog: the session's auth gives the URL."""
    clouds = tmp_path / "clouds.yaml"
    clouds.write_text("clouds: {}\n")
    reg = RegionRegistry(cloud="fake", clouds_yaml=str(clouds))
    reg._regions = {n: Region(n, "fake", n) for n in ("R1", "R2")}
    reg._discovered_at = time.monotonic() + 3600
    reg._sessions["fake"] = ks_session.Session(auth=noauth.NoAuth(endpoint=nova.endpoint))
    return reg


@pytest.mark.parametrize("value", [
    "req-6e4eb974-d41f-4142-8411-8771b211c40d",
])
def test_well_formed_ids_are_taken(value):
    assert request_ids.valid(value) == value
    assert request_ids.valid(request_ids.new()) is not None


@pytest.mark.parametrize("value", [
    None, "", 42, "req-", "6e4eb974-d41f-4142-8411-8771b211c40d",
    "REQ-6e4eb974-d41f-4142-8411-8771b211c40d",   # oslo.middleware takes lower case only
    "req-6E4EB974-D41F-4142-8411-8771B211C40D",
    "req-6e4eb974-d41f-4142-8411-8771b211c40d\n",  # re.match with $ would let this in
    "req-6e4eb974-d41f-4142-8411-8771b211c40d\n2026-11-30 00:00:00.000 1 ERROR forged",
    " req-6e4eb974-d41f-4142-8411-8771b211c40d",
    "req-6e4eb974-d41f-4142-8411-8771b211c40d, req-0e4eb974-d41f-4142-8411-8771b211c40d",
    "req-6e4eb974-d41f-4142-8411-8771b211c40dx",
    "req-zzzzzzzz-d41f-4142-8411-8771b211c40d",
])
def test_anything_else_is_not(value):
    assert request_ids.valid(value) is None


def test_a_copy_sends_the_id_and_the_connection_it_copies_does_not(registry, nova):
    base, request_id = registry.connection("R1"), rid()
    copy = traced_copy(base, request_id)
    assert sent(nova, copy) == request_id
    assert sent(nova, base) is None
    assert copy.session is base.session  # same token and pooled HTTP connections


def test_a_collected_copy_leaves_the_shared_session_open(registry):
    """openstacksdk closes a connection's session when it is collected: a copy must not."""
    base = registry.connection("R1")
    shared = base.session.session  # the requests.Session of every region's calls
    closed = []
    shared.close = lambda: closed.append(True)
    copy = traced_copy(base, rid())
    assert copy.session is base.session  # sdk now holds the shared session for the copy
    gone = weakref.ref(copy)
    del copy
    gc.collect()
    assert gone() is None and closed == []


def test_the_registry_reuses_one_copy_per_region_and_request_id(registry, nova):
    first, second = rid(), rid()
    base = registry.connection("R1")
    copy = registry.connection("R1", request_id=first)
    assert copy is not base and registry.connection("R1", request_id=first) is copy
    assert registry.connection("R2", request_id=first) is not copy
    assert registry.connection("R1", request_id=second) is not copy
    assert registry.connection("R1", request_id="req-not-an-id") is base
    assert sent(nova, registry.connection("R2", request_id=first)) == first

    registry.TRACED_CONNECTIONS = 2
    registry.connection("R2", request_id=second)
    assert len(registry._traced) == 2  # the least recently used went
    assert registry.connection("R1", request_id=second) is not None


def test_an_api_request_scope_reaches_fan_out_threads(registry, nova):
    request_id = rid()
    with request_ids.scope(request_id):
        assert request_ids.current() == request_id
        got = registry.fan_out(lambda name: sent(nova, registry.connection(name)),
                               ["R1", "R2"])
    assert got == {"R1": request_id, "R2": request_id}
    assert request_ids.current() is None
    assert sent(nova, registry.connection("R1")) is None
    with request_ids.scope("req-forged\n"):
        assert request_ids.current() is None


def test_a_jobs_view_of_the_registry(registry, nova):
    request_id = rid()
    view = registry.for_request(request_id)
    assert view.names() == ["R1", "R2"] and view.pool is registry.pool
    assert sent(nova, view.connection("R2")) == request_id
    got = view.fan_out(lambda name: sent(nova, view.connection(name)), view.names())
    assert got == {"R1": request_id, "R2": request_id}
    assert registry.for_request(None) is registry
    assert registry.for_request("not-an-id") is registry


def test_a_task_runs_with_its_jobs_request_id(registry, nova, tmp_path):
    from albatross.db import migrate
    url = f"sqlite:///{tmp_path}/jobs.sqlite"
    migrate.upgrade(url)
    store = JobStore(url)
    request_id = rid()
    job_id, [task_id] = store.create_job(
        project_id="p", user_id="u", kind="keypair_sync", params={}, request_id=request_id,
        tasks=[TaskSpec("keypair", "kp", "R1", "R2", False, {"public_key": "k"})])
    executor = TaskExecutor(store, registry)
    [claim] = store.claim("test", 30, task_id=task_id)
    task, job = store.load_task(task_id)
    ctx = executor._context(claim, task, job)
    assert sent(nova, ctx.registry.connection(ctx.target_region)) == request_id
    assert sent(nova, ctx.registry.connection(ctx.source_region)) == request_id

    # jobs made by the service itself get an id of their own; the old ones have none
    own, _ = store.create_job(project_id="p", user_id="u", kind="quota_rebalance", params={},
                              tasks=[], origin="periodic")
    own_id = store.get_job(own)[0].request_id
    assert request_ids.valid(own_id) and own_id != request_id
    with request_ids.scope(request_id):  # made inside an API request: that request's
        inside, _ = store.create_job(project_id="p", user_id="u", kind="x", params={},
                                     tasks=[])
    assert store.get_job(inside)[0].request_id == request_id
    assert executor.registry.for_request(None) is registry


def test_inside_a_scope_the_regions_own_connection_sends_its_id(registry, nova):
    """No copy per region and request: the one connection reads the id of the context each
    call runs in (a task runs in its job's scope, so its view of the registry makes none)."""
    request_id, base = rid(), registry.connection("R1")
    with request_ids.scope(request_id):
        assert registry.connection("R1") is base
        assert registry.for_request(request_id).connection("R1") is base
        assert sent(nova, base) == request_id
    assert sent(nova, base) is None and not registry._traced
