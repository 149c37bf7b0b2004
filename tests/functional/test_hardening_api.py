"""Issue 14, finding 8, through the API: a retry needs the rule of the job's kind and
delegates again; a body nested deeper than the parser goes is a 400, not a 500."""
import json


def error(resp):
    return json.loads(resp.body)["error"]


def test_a_retry_needs_the_rule_of_the_jobs_kind(policy_file, api):
    policy_file.write_text('"albatross:keypairs:sync": "role:admin"\n')
    me = api.identity()
    failed = api.make_job(me, 2, ["FAILED", "SUCCESS"])
    resp = api.request("POST", f"/v1/jobs/{failed}/retry", who=me)
    assert resp.status_int == 403, resp.body
    assert "albatross:keypairs:sync" in error(resp)["message"]
    assert api.rt.dispatcher.dispatched == [] and api.rt.registry.trusts == {}


def test_a_retry_delegates_again_with_the_retrying_user(api):
    me = api.identity()
    failed = api.make_job(me, 2, ["FAILED", "SUCCESS"])
    assert api.request("POST", f"/v1/jobs/{failed}/retry", who=me).status_int == 202
    assert list(api.rt.registry.trusts.values()) == [
        (me.user_id, me.project_id, tuple(me.roles))]
    job = api.rt.store.get_job(failed)[0]
    assert job.trust_id in api.rt.registry.trusts


def test_deeply_nested_bodies_are_refused_with_400(api):
    me = api.identity()
    for path in ("/v1/keypairs/sync", f"/v1/projects/{me.project_id}/address-plan"):
        method = "PUT" if path.endswith("plan") else "POST"
        resp = api.request(method, path, who=me, body=b"[" * 5000,
                           headers={"Content-Type": "application/json"})
        assert resp.status_int == 400, (path, resp.body)
        assert error(resp)["field"] == "(body)"


def test_kingbird_image_entries_check_the_image_sync_rule(policy_file, api):
    """Finding 4: os-sync image entries were only checked against the keypair rule."""
    policy_file.write_text('"albatross:images:sync": "role:admin"\n')
    me = api.identity()
    body = {"resource_set": {"resource_type": "image", "resources": ["an-image"],
                             "source": "R1", "target": ["R2"], "force": "False"}}
    resp = api.request("POST", f"/v1.0/{me.project_id}/os-sync/", who=me, json=body)
    assert resp.status_int == 403, resp.body
    assert "albatross:images:sync" in error(resp)["message"]
    body["resource_set"]["resource_type"] = "keypair"  # still open: 503, past the policy
    assert api.request("POST", f"/v1.0/{me.project_id}/os-sync/", who=me,
                       json=body).status_int == 503


def test_the_admin_role_counts_only_in_the_admin_project(api):
    """Finding 8: context_is_admin was the admin role in any project."""
    owner = api.identity()
    job = api.make_job(owner, 1, ["SUCCESS"])
    tenant_admin = api.identity(roles=("admin", "member", "reader"), admin_project=False)
    cloud_admin = api.identity(roles=("admin", "member", "reader"))
    assert api.request("GET", f"/v1/jobs/{job}", who=tenant_admin).status_int == 404
    assert api.request("GET", "/v1/jobs?all_projects=true", who=tenant_admin).status_int == 403
    assert api.request("GET", "/v1/logs", who=tenant_admin).status_int == 403
    assert api.request("GET", f"/v1/jobs/{job}", who=cloud_admin).status_int == 200


def test_a_replaced_trust_lives_until_the_jobs_using_it_end(api):
    """Lending a rollout (or auto mode, or a policy) new authority retires the old trust;
    a wave job still acting through it keeps working, and the trust goes when it ends."""
    from albatross.db.trusts import TrustStore
    from albatross.jobs import trusts
    from albatross.db.jobs import TaskSpec
    from albatross.services import delegation
    from albatross.services.caller import Caller
    rt, me = api.rt, api.identity()
    caller = Caller(me.user_id, me.project_id, tuple(me.roles), token=me.token)
    first = delegation.lend(rt, caller, "image_rollout", "r-1")
    job_id, [task_id] = rt.store.create_job(
        project_id=me.project_id, user_id=me.user_id, kind="image_rollout_wave", params={},
        trust=delegation.borrowed(first.id, me.user_id, me.project_id),
        tasks=[TaskSpec("image", "i", "R1", "R2")])
    second = delegation.lend(rt, caller, "image_rollout", "r-1")
    store = TrustStore(rt.store.db_url)
    assert set(rt.registry.trusts) == {first.id, second.id}
    assert store.get(first.id).owner_kind == trusts.RETIRED
    claim = rt.store.claim("w", 30, task_id=task_id)[0]
    rt.store.finish(claim, "SUCCESS")
    trusts.sweep(rt.store.db_url, rt.registry, first.id)
    assert set(rt.registry.trusts) == {second.id} and store.get(first.id) is None
