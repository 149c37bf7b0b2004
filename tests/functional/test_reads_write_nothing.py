"""A GET never writes: every GET route of the OpenAPI document, called by an administrator
(the widest view) over a database with objects of every kind, leaves every table as it was.
Background work (a rollout's next step, a periodic audit) is its controller's, never a
reader's."""
import uuid

from sqlalchemy import select

from albatross.api.deploy import all_routes
from albatross.db.engine import session_scope
from albatross.db.models import Base, RolloutEvent
from albatross.db.policies import PolicyStore
from albatross.db.quotas import QuotaStore
from albatross.db.rollouts import RolloutStore

ADMIN = ("admin", "member", "reader")


def snapshot(db_url: str) -> dict[str, list]:
    with session_scope(db_url) as s:
        return {t.name: sorted(repr(tuple(row)) for row in s.execute(select(t)))
                for t in Base.metadata.sorted_tables}


def objects(api, who) -> dict[str, str]:
    """One object of each kind a GET route can name, in `who`'s project."""
    url = api.rt.store.db_url
    job_id = api.make_job(who, n_tasks=2, statuses=["SUCCESS", "FAILED"])
    rollout_id = RolloutStore(url).create(
        RolloutEvent(event="start", actor=who.user_id, to_state="running"),
        project_id=who.project_id, user_id=who.user_id, admin=False, image_id="i" * 36,
        image_name="app", image_owner=who.project_id, source_region="RegionOne",
        waves=[{"regions": ["RegionTwo"], "job_id": job_id}], auto_approve=False,
        state="running", wave=0).id
    policy = PolicyStore(url).create(
        project_id=who.project_id, user_id=who.user_id, name="keys",
        resource_type="keypair", selector={"all": True, "names": [], "tags": []},
        source_region="RegionOne", target_regions=["RegionTwo"], interval=60,
        propagate_deletes=False, repair=True)
    QuotaStore(url).set_project(who.project_id, {"cores": 8}, {})
    return {"project_id": who.project_id, "job_id": job_id, "rollout_id": rollout_id,
            "policy_id": policy.id, "class_name": "default", "target_project": who.project_id,
            "image_id": str(uuid.uuid4())}


def _url(path: str, ids: dict) -> str:
    for name, value in ids.items():
        path = path.replace("{" + name + "}", value)
    assert "{" not in path, path
    return path


def test_every_get_route_leaves_the_database_unchanged(api):
    admin = api.identity(roles=ADMIN)
    ids = objects(api, admin)
    doc = api.request("GET", "/v1/openapi.json").json
    gets = [(path, op) for path, item in doc["paths"].items() for method, op in item.items()
            if method == "get"]
    before = snapshot(api.rt.store.db_url)
    answered = {}
    for path, op in gets:
        resp = api.request("GET", _url(path, ids), who=admin)
        if resp.content_type == "text/event-stream":   # a live tail: its first chunk
            chunks = iter(resp.app_iter)
            answered[path] = (resp.status_int, next(chunks, b"")[:40])
            getattr(resp.app_iter, "close", lambda: None)()
        else:
            answered[path] = resp.status_int
        assert resp.status_int < 500 or resp.status_int == 503, (path, resp.body[:300])
    assert snapshot(api.rt.store.db_url) == before
    assert len(answered) == len(gets) == len([r for r in all_routes() if r.method == "GET"])
    # the reads that need no region really read the objects above
    for path in ("/v1/jobs/{job_id}", "/v1/image-rollouts/{rollout_id}",
                 "/v1/sync-policies/{policy_id}", "/v1/projects/{project_id}/quota-events"):
        assert answered[path] == 200, (path, answered[path])
