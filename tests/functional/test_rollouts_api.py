"""Image rollouts through the API without regions: tenant isolation, RBAC, actions the state
does not allow (409) and the history they leave. An action is recorded in the request (202)
and its steps are the rollout controller's, run here as a worker runs its item."""
import json

from albatross.db.models import RolloutEvent
from albatross.db.rollouts import RolloutStore
from albatross.db.work_queue import WorkQueue
from albatross.jobs.executor import TaskExecutor
from albatross.services.controllers import controllers


def error(resp):
    return json.loads(resp.body)["error"]


def make_rollout(api, who, state="waiting_approval") -> str:
    """A rollout whose canary wave is verified (no job: nothing to look up in a region)."""
    return RolloutStore(api.rt.store.db_url).create(
        RolloutEvent(event="start", actor=who.user_id, to_state="running"),
        project_id=who.project_id, user_id=who.user_id, admin=False, image_id="i" * 36,
        image_name="app", image_owner=who.project_id, source_region="RegionOne",
        waves=[{"regions": ["RegionTwo"], "verified": True}, {"regions": ["RegionThree"]}],
        auto_approve=False, state=state, wave=0).id


def run_controller(api, rollout_id):
    """The worker's run of the rollout's work item (queued by the action)."""
    [item] = [i.id for i in WorkQueue(api.rt.store.db_url).items("image_rollout")
              if i.resource == rollout_id]
    [claim] = api.rt.store.claim("worker", 30, task_id=item)
    executor = TaskExecutor(api.rt.store, api.rt.registry, conf=api.rt.conf,
                            controllers=controllers(api.rt))
    assert executor.run(claim) == "SUCCESS"


def test_another_project_neither_sees_nor_touches_a_rollout(api):
    owner, other = api.identity(), api.identity()
    rollout_id = make_rollout(api, owner)
    path = f"/v1/image-rollouts/{rollout_id}"
    assert api.request("GET", path, who=owner).json["rollout"]["state"] == "waiting_approval"
    for method, p in [("GET", path)] + [("POST", f"{path}/{a}") for a in (
            "approve", "pause", "resume", "abort", "rollback")]:
        resp = api.request(method, p, who=other)
        assert resp.status_int == 404 and error(resp)["field"] == "rollout_id", (method, p)
    assert api.request("GET", "/v1/image-rollouts", who=other).json == {"rollouts": []}
    assert [r["id"] for r in api.request("GET", "/v1/image-rollouts",
                                         who=owner).json["rollouts"]] == [rollout_id]


def test_reader_reads_but_cannot_act(api):
    member = api.identity()
    reader = api.identity(roles=("reader",), project_id=member.project_id)
    rollout_id = make_rollout(api, member)
    path = f"/v1/image-rollouts/{rollout_id}"
    assert api.request("GET", path, who=reader).status_int == 200
    for action in ("approve", "pause", "abort", "rollback"):
        assert api.request("POST", f"{path}/{action}", who=reader).status_int == 403
    assert api.request("POST", "/v1/image-rollouts", who=reader, json={
        "image_id": "0" * 8 + "-0000-0000-0000-" + "0" * 12, "source_region": "R1",
        "waves": [["R2"]]}).status_int == 403


def test_actions_follow_the_state_and_are_kept_in_the_history(api):
    member = api.identity()
    rollout_id = make_rollout(api, member)
    path = f"/v1/image-rollouts/{rollout_id}"
    paused = api.request("POST", f"{path}/pause", who=member).json["rollout"]
    assert paused["state"] == "paused"
    resp = api.request("POST", f"{path}/approve", who=member)
    assert resp.status_int == 409 and "paused" in error(resp)["message"]
    assert api.request("POST", f"{path}/abort", who=member).json["rollout"]["state"] == \
        "aborted"
    for action in ("approve", "pause", "resume", "abort"):
        assert api.request("POST", f"{path}/{action}", who=member).status_int == 409
    history = api.request("GET", path, who=member).json["rollout"]["history"]
    assert [(e["event"], e["from_state"], e["to_state"]) for e in history] == [
        ("start", None, "running"), ("pause", "waiting_approval", "paused"),
        ("abort", "paused", "aborted")]
    assert {e["actor"] for e in history} == {member.user_id}


def test_rollback_before_anything_was_copied_is_an_empty_job(api):
    member = api.identity()
    rollout_id = make_rollout(api, member)  # its waves have no job: no region was touched
    resp = api.request("POST", f"/v1/image-rollouts/{rollout_id}/rollback", who=member)
    assert resp.status_int == 202 and resp.json["rollout"]["state"] == "rolling_back"
    path = f"/v1/image-rollouts/{rollout_id}"
    assert api.request("GET", path, who=member).json["rollout"]["state"] == "rolling_back"
    run_controller(api, rollout_id)
    rollout = api.request("GET", path, who=member).json["rollout"]
    assert rollout["state"] == "rolled_back" and rollout["rollback_job_status"] == "SUCCESS"
    assert [e["event"] for e in rollout["history"]][-3:] == [
        "rollback", "rollback_started", "rolled_back"]
    resp = api.request("POST", f"/v1/image-rollouts/{rollout_id}/rollback", who=member)
    assert resp.status_int == 409


def test_bad_bodies_name_the_field(api):
    member = api.identity()
    resp = api.request("POST", "/v1/image-rollouts", who=member, json={
        "image_id": "x", "source_region": "R1", "waves": [["R2"]]})
    assert resp.status_int == 400 and error(resp)["field"] == "image_id"
    resp = api.request("POST", "/v1/image-rollouts", who=member, json={
        "image_id": "0" * 8 + "-0000-0000-0000-" + "0" * 12, "source_region": "R1",
        "waves": [[]]})
    assert resp.status_int == 400 and error(resp)["field"].startswith("waves")
