"""Request ids through the API: a client's well-formed X-OpenStack-Request-ID is the global id
that jobs keep (and their region calls send), anything else is ignored; the local id is always
new. Jobs show their request id; so does their audit event."""
import uuid

import pytest
import webob

from albatross.api.middleware import CallerFromToken, ErrorsAndRequestIds
from albatross import request_ids

HEADER = "X-OpenStack-Request-ID"
FORGED = [
    "req-not-a-uuid",
    "REQ-6E4EB974-D41F-4142-8411-8771B211C40D",
    "req-6e4eb974-d41f-4142-8411-8771b211c40d\r\nX-Injected: 1",
    "req-6e4eb974-d41f-4142-8411-8771b211c40d] forged [req-0e4eb974-d41f-4142-8411-8771b211c40d",
    "req-6e4eb974-d41f-4142-8411-8771b211c40d, req-0e4eb974-d41f-4142-8411-8771b211c40d",
    "x" * 5000,
]


@pytest.fixture
def admin(api):
    return api.identity(roles=("admin", "member", "reader"))


def _sync(api, admin, headers=None):
    resp = api.request("POST", f"/v1/projects/{uuid.uuid4().hex}/quotas/sync", who=admin,
                       headers=headers)
    assert resp.status_int == 202, resp.body
    return resp


def test_a_clients_id_is_the_jobs_and_the_local_id_stays_new(api, admin):
    given = f"req-{uuid.uuid4()}"
    resp = _sync(api, admin, {HEADER: given})
    local = resp.headers["X-OpenStack-Request-Id"]
    assert request_ids.valid(local) and local != given
    job = resp.json["job"]
    assert job["request_id"] == given
    again = api.request("GET", f"/v1/jobs/{job['id']}", who=admin).json["job"]
    assert again["request_id"] == given
    listed = api.request("GET", "/v1/jobs", who=admin).json["jobs"]
    assert [j["request_id"] for j in listed if j["id"] == job["id"]] == [given]
    events = api.request("GET", f"/v1/events?source=audit&request_id={given}",
                         who=admin).json["events"]
    audit = [e for e in events if e["resource_id"] == job["id"]]
    assert [e["request_id"] for e in audit] == [given]


def test_without_an_id_the_job_keeps_the_requests_own(api, admin):
    resp = _sync(api, admin)
    assert resp.json["job"]["request_id"] == resp.headers["X-OpenStack-Request-Id"]


@pytest.mark.parametrize("forged", FORGED)
def test_other_formats_are_ignored(api, admin, forged):
    req = webob.Request.blank(f"/v1/projects/{uuid.uuid4().hex}/quotas/sync", method="POST")
    req.headers["X-Auth-Token"] = admin.token
    req.environ["HTTP_X_OPENSTACK_REQUEST_ID"] = forged  # as a server would pass it on
    resp = req.get_response(api.app)
    assert resp.status_int == 202, resp.body
    assert resp.json["job"]["request_id"] == resp.headers["X-OpenStack-Request-Id"] != forged


class Recorder:
    """The innermost app: what the middleware left for the handlers."""

    def __call__(self, environ, start_response):
        self.environ, self.current = dict(environ), request_ids.current()
        self.caller = environ.get("albatross.caller")
        start_response("204 No Content", [("X-OpenStack-Request-Id", "req-from-inside")])
        return [b""]


class Enforcer:
    def is_admin(self, environ):
        return False


def _call(headers: dict):
    inner = Recorder()
    app = ErrorsAndRequestIds(CallerFromToken(inner, Enforcer()), 1024)
    req = webob.Request.blank("/v1/x", headers={"X-Identity-Status": "Confirmed",
                                                "X-Project-Id": "p", "X-User-Id": "u",
                                                **headers})
    return inner, req.get_response(app)


def test_the_middleware_scopes_the_forwarded_id_to_the_request():
    given = f"req-{uuid.uuid4()}"
    inner, resp = _call({HEADER: given})
    local = resp.headers["X-OpenStack-Request-Id"]
    assert resp.headers.getall("X-OpenStack-Request-Id") == [local]  # only ours
    assert inner.environ["openstack.request_id"] == local != given
    assert inner.environ["openstack.global_request_id"] == given
    assert inner.current == given  # what region calls made by the handler send
    assert (inner.caller.request_id, inner.caller.global_request_id,
            inner.caller.global_id) == (local, given, given)
    assert request_ids.current() is None  # nothing left behind for the next request


@pytest.mark.parametrize("forged", FORGED + [""])
def test_the_middleware_forwards_its_own_id_when_the_clients_is_not_valid(forged):
    inner, resp = _call({HEADER: forged} if forged else {})
    local = resp.headers["X-OpenStack-Request-Id"]
    assert "openstack.global_request_id" not in inner.environ
    assert inner.current == local
    assert (inner.caller.global_request_id, inner.caller.global_id) == (None, local)
