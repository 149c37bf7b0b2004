"""The API in-process with a real SQLite database; keystonemiddleware's AuthTokenFixture
stands in for Keystone (tokens are registered in the fixture, auth_token stays in the
pipeline). Nothing here talks to OpenStack: routes that need a region get a registry whose
catalog cannot be read (so they answer 503) unless the test gives one."""
import uuid

import pytest
from keystoneauth1 import fixture as ks_fixture
import webob
from keystonemiddleware import fixture as ksm_fixture
from oslo_config import cfg
from oslo_policy import opts as policy_opts

from albatross import conf as albatross_conf
from albatross.api.deploy import build_app
from tests.answers import check
from albatross.db import migrate
from albatross.db.jobs import JobStore, TaskSpec
from albatross.services.runtime import Runtime


class TrustRecorder:
    """Records the trusts the service layer asks for (who delegated what); real Keystone trusts
    are exercised in tests/integration/test_delegation.py."""

    def __init__(self):
        self.trusts = {}  # trust id -> (user, project, roles)

    def create_trust(self, authority, roles, expires_at=None):
        trust_id = uuid.uuid4().hex
        self.trusts[trust_id] = (authority.user_id, authority.project_id, tuple(roles))
        return trust_id

    def delete_trust(self, trust_id):
        self.trusts.pop(trust_id, None)


class NoCatalogRegistry(TrustRecorder):
    """Stands for a catalog that cannot be read: every lookup raises."""

    def regions(self, refresh=False):
        raise ConnectionError("no catalog in functional tests")

    def names(self):
        return list(self.regions())


class Identity:
    def __init__(self, token, user_id, project_id, roles):
        self.token, self.user_id, self.project_id, self.roles = token, user_id, project_id, roles


@pytest.fixture
def policy_file(tmp_path):
    """Operators' overrides; a test writes rules into it before using `api`."""
    return tmp_path / "policy.yaml"


@pytest.fixture
def api(tmp_path, policy_file):
    conf = cfg.ConfigOpts()
    albatross_conf.register_opts(conf)
    policy_opts.set_defaults(conf, policy_file=str(policy_file))
    conf([], project="albatross", default_config_files=[])
    url = f"sqlite:///{tmp_path}/api.sqlite"
    conf.set_override("connection", url, group="database")
    migrate.upgrade(url)
    rt = Runtime(conf=conf, store=JobStore(url), registry=NoCatalogRegistry(), health=None,
                 dispatcher=_Recorder())
    fixture = ksm_fixture.AuthTokenFixture()
    fixture.setUp()
    app = build_app(conf, rt)
    yield ApiClient(app, fixture, rt)
    fixture.cleanUp()


class _Recorder:
    def __init__(self):
        self.dispatched = []

    def dispatch(self, task_ids, delay=0.0):
        self.dispatched.extend(task_ids)


def check_answer(method: str, path: str, resp) -> None:
    """A stream is left unread (its body is the test's to read, and never ends by itself)."""
    json_body = resp.content_type == "application/json" and resp.body
    check(method, path, resp.status_int, resp.content_type or "",
          resp.json if json_body else None)


class ApiClient:
    def __init__(self, app, fixture, rt):
        self.app, self.fixture, self.rt = app, fixture, rt

    def identity(self, roles=("member", "reader"), project_id=None,
                 admin_project=True) -> Identity:
        """A token; `admin_project` False: scoped to a project other than Keystone's admin
        project (its is_admin_project is false)."""
        user_id, project_id = uuid.uuid4().hex, project_id or uuid.uuid4().hex
        token = uuid.uuid4().hex
        if admin_project:
            self.fixture.add_token_data(token_id=token, user_id=user_id,
                                        project_id=project_id, role_list=list(roles))
        else:
            data = ks_fixture.V3Token(user_id=user_id, project_id=project_id)
            for role in roles:
                data.add_role(name=role)
            data["token"]["is_admin_project"] = False
            self.fixture.add_token(data, token_id=token)
        return Identity(token, user_id, project_id, roles)

    def request(self, method, path, who=None, json=None, body=None, headers=None):
        req = webob.Request.blank(path, method=method)
        if who is not None:
            req.headers["X-Auth-Token"] = who.token
        if json is not None:
            import json as _json
            req.body = _json.dumps(json).encode()
            req.content_type = "application/json"
        elif body is not None:
            req.body = body
            req.content_type = "application/json"
        for k, v in (headers or {}).items():
            req.headers[k] = v
        resp = req.get_response(self.app)
        check_answer(method, req.path_info, resp)
        return resp

    def make_job(self, who: Identity, n_tasks=2, statuses=None) -> str:
        specs = [TaskSpec("keypair", f"kp{i}", "RegionOne", "RegionTwo", False,
                          {"public_key": "ssh-rsa AAAA x"}) for i in range(n_tasks)]
        job_id, ids = self.rt.store.create_job(project_id=who.project_id, user_id=who.user_id,
                                               kind="keypair_sync", params={}, tasks=specs)
        for task_id, status in zip(ids, statuses or []):
            claim = self.rt.store.claim("test", 30, task_id=task_id)[0]
            self.rt.store.finish(claim, status, error="boom" if status == "FAILED" else None)
        return job_id
