"""Sync policies: "keep these keypairs / security groups in step from region X to Y, Z".
An audit reads the source once, then one task per target region compares, records drift and
(unless the policy only reports) repairs it. Audits run on demand and when due."""
import logging

from albatross.db.events import lost_event
from albatross.db.models import SyncPolicy, utcnow
from albatross.db.policies import is_due, list_drift, record_unreachable
from albatross.exceptions import (BadRequest, Conflict, Forbidden, NotFound,
                                  UpstreamUnavailable)
from albatross.db import job_states as states
from albatross.jobs import trusts
from albatross.db.jobs import TaskSpec
from albatross.reconcilers.keypair_sets import snapshot_keypairs
from albatross.regions.delegation import DelegationLost
from albatross.secgroups.select import Selector
from albatross.services import delegation
from albatross.services import jobs as job_service
from albatross.services import regions as region_service
from albatross.services import secgroups as secgroup_service
from albatross.services.caller import Caller
from albatross.services.runtime import Runtime
from albatross.regions import errors as region_errors
from albatross.timestamps import iso

LOG = logging.getLogger(__name__)
KIND = "policy_audit"
OWNER = "sync_policy"  # trusts.owner_kind


def view(p: SyncPolicy) -> dict:
    return {"id": p.id, "name": p.name, "project_id": p.project_id, "user_id": p.user_id,
            "resource_type": p.resource_type, "source_region": p.source_region,
            "target_regions": p.target_regions, "selector": p.selector,
            "propagate_deletes": p.propagate_deletes, "repair": p.repair,
            "interval": p.interval, "enabled": p.enabled,
            "last_audit_at": iso(p.last_audit_at), "last_job_id": p.last_job_id,
            "created_at": iso(p.created_at), "updated_at": iso(p.updated_at)}


def _selector(body: dict) -> Selector:
    chosen = [k for k in ("all", "names", "tags") if body.get(k)]
    if not chosen:
        raise BadRequest("say what to keep in step: all, names or tags", field="names")
    if body.get("all") and (body.get("names") or body.get("tags")):
        raise BadRequest("all excludes names and tags", field="all")
    if body.get("tags") and body["resource_type"] == "keypair":
        raise BadRequest("keypairs have no tags; select them by names or all", field="tags")
    return Selector(bool(body.get("all")), tuple(body.get("names") or ()),
                    tuple(body.get("tags") or ()))


def create(rt: Runtime, caller: Caller, body: dict) -> dict:
    selector = _selector(body)
    cap = rt.conf.sync.max_policies_per_project
    if rt.policies.count(caller.project_id) >= cap:
        raise Conflict(f"the project has {cap} sync policies, the most allowed; delete one "
                       "first", field="name")
    targets = body["target_regions"]
    region_service.check_targets(rt, body["source_region"], targets)
    store = rt.policies
    if any(p.name == body["name"] for p in store.find(caller.project_id)):
        raise Conflict(f"a sync policy named {body['name']!r} already exists",
                       field="name")
    trust = delegation.grant(rt, caller, lifetime_hours=0)  # until the policy is deleted
    policy = store.create(trust_id=trust.id,
        project_id=caller.project_id, user_id=caller.user_id, name=body["name"],
        resource_type=body["resource_type"], source_region=body["source_region"],
        target_regions=targets if targets == "all" else list(dict.fromkeys(targets)),
        selector=selector.to_dict(), propagate_deletes=body.get("propagate_deletes", False),
        repair=body.get("repair", True), enabled=body.get("enabled", True),
        interval=body.get("interval") or rt.conf.sync.audit_interval)
    rt.trusts.add(trust, OWNER, policy.id)
    return view(policy)


def _load(rt: Runtime, caller: Caller, policy_id: str) -> SyncPolicy:
    """The policy if the caller may see it; 404 otherwise (never reveal another project's)."""
    policy = rt.policies.get(policy_id)
    if policy is None or not caller.allows(policy.project_id):
        raise NotFound(f"sync policy {policy_id} not found", field="policy_id")
    return policy


def get(rt: Runtime, caller: Caller, policy_id: str) -> dict:
    return view(_load(rt, caller, policy_id))


def list_policies(rt: Runtime, caller: Caller, limit: int = 100,
                  marker: str | None = None) -> list[dict]:
    return [view(p) for p in rt.policies.find(caller.project_id, limit, marker)]


def delete(rt: Runtime, caller: Caller, policy_id: str) -> None:
    _load(rt, caller, policy_id)
    rt.policies.delete(policy_id)
    delegation.release(rt, OWNER, policy_id)


def _regions(rt: Runtime, policy: SyncPolicy):
    """The policy's owner's authority, through the trust it was given."""
    return delegation.acting_through(rt, policy.trust_id, policy.user_id, policy.project_id,
                                     f"sync policy {policy.name!r}")


def _redelegate(rt: Runtime, caller: Caller, policy: SyncPolicy) -> SyncPolicy:
    """An audit asked for by a member of the project renews a missing or dead trust with
    the caller's authority; the caller becomes the policy's user."""
    if policy.trust_id and rt.trusts.get(policy.trust_id) is not None:
        return policy
    if caller.project_id != policy.project_id:
        return policy  # an admin of another project cannot delegate for this one
    trust = delegation.lend(rt, caller, OWNER, policy.id)
    rt.policies.delegate(policy.id, trust.id, caller.user_id)
    return rt.policies.get(policy.id)


def _disable(rt: Runtime, policy: SyncPolicy, message: str) -> None:
    """Its authority is gone: the policy stops, with one event saying why."""
    rt.policies.disable(policy.id, lost_event(
        project_id=policy.project_id, user_id=policy.user_id, resource_id=policy.id,
        summary=f"sync policy {policy.name!r} disabled: {message}",
        payload={"policy_id": policy.id}))
    if policy.trust_id:
        rt.trusts.forget(policy.trust_id, OWNER, policy.id)
        trusts.discard(rt.registry, policy.trust_id)


def _audit_specs(rt: Runtime, policy: SyncPolicy, targets: list[str]) -> list[TaskSpec]:
    """Read the source once; the same snapshot goes to every target region's task."""
    selector = Selector.from_dict(policy.selector)
    common = dict(policy_id=policy.id, scope="all" if selector.all else "policy",
                  propagate_deletes=policy.propagate_deletes, repair=policy.repair)
    if policy.resource_type == "security_group":
        source = secgroup_service.read_source(rt, policy.project_id, policy.source_region,
                                              _regions(rt, policy))
        chosen = secgroup_service.selected(source, selector, strict=False)
        return secgroup_service.task_specs(policy.source_region, targets, chosen,
                                           list(source.groups), **common)
    keypairs = snapshot_keypairs(_regions(rt, policy).connection(policy.source_region),
                                 policy.user_id)
    wanted = keypairs if selector.all else {n: k for n, k in keypairs.items()
                                           if n in selector.names}
    body = {"keypairs": wanted, "source_names": sorted(keypairs), **common}
    return [TaskSpec("keypair_set", policy.name, policy.source_region, t, False, body)
            for t in targets]


def _start_audit(rt: Runtime, policy: SyncPolicy, origin: str) -> str | None:
    targets = region_service.resolve_targets(rt, policy.source_region, policy.target_regions)
    try:
        specs = _audit_specs(rt, policy, targets)
    except DelegationLost as exc:
        _disable(rt, policy, str(exc))
        raise Forbidden(f"sync policy {policy.name!r} was disabled: {exc}",
                        field="policy_id") from None
    except (*region_errors.UNREACHABLE, region_errors.SDKError) as exc:
        LOG.warning("audit of policy %s: source region %s unreadable: %s", policy.id,
                    policy.source_region, type(exc).__name__)
        raise UpstreamUnavailable(
            f"cannot read the source region {policy.source_region}: {type(exc).__name__}")
    job_id = job_service.submit(
        rt, None, project_id=policy.project_id, user_id=policy.user_id, kind=KIND,
        origin=origin, tasks=specs,
        trust=delegation.borrowed(policy.trust_id, policy.user_id, policy.project_id),
        params={"policy_id": policy.id, "policy_name": policy.name,
                "resource_type": policy.resource_type, "source_region": policy.source_region,
                "target_regions": targets})
    rt.policies.mark_audited(policy.id, job_id)
    return job_id


def audit(rt: Runtime, caller: Caller, policy_id: str, origin: str = "api") -> dict:
    policy = _redelegate(rt, caller, _load(rt, caller, policy_id))
    return job_service.get(rt, caller, _start_audit(rt, policy, origin))


def _claim(rt: Runtime, policy: SyncPolicy) -> bool:
    """Compare-and-set on last_audit_at: of several servers, one starts the audit."""
    return rt.policies.claim_audit(policy.id, policy.last_audit_at)


def _running(rt: Runtime, job_id: str | None) -> bool:
    found = job_id and rt.store.get_job(job_id)
    if not found:
        return False
    counts: dict[str, int] = {}
    for t in found[1]:
        counts[t.status] = counts.get(t.status, 0) + 1
    return states.job_status(counts) in (states.QUEUED, states.RUNNING)


def audits_due(rt: Runtime) -> list[str]:
    """The policies whose periodic audit is due."""
    return [p.id for p in rt.policies.due()]


def audit_if_due(rt: Runtime, policy_id: str) -> str | None:
    """Start the policy's periodic audit if it is (still) due and its last one has finished;
    returns the job. A source region that cannot be read is recorded as drift-unknown."""
    policy = rt.policies.get(policy_id)
    if policy is None or not is_due(policy, utcnow()) or _running(rt, policy.last_job_id) \
            or not _claim(rt, policy):
        return None
    try:
        return _start_audit(rt, policy, "periodic")
    except Forbidden:
        return None  # disabled, with its event
    except UpstreamUnavailable as exc:
        record_unreachable(rt.store.db_url, project_id=policy.project_id,
                           policy_id=policy.id, task_id="", region=policy.source_region,
                           resource_type=policy.resource_type, message=exc.message)
        return None


def drift_view(e) -> dict:
    return {"id": e.id, "project_id": e.project_id, "policy_id": e.policy_id,
            "job_id": e.job_id, "region": e.region, "resource_type": e.resource_type,
            "resource": e.resource, "kind": e.kind, "detail": e.detail,
            "repaired": e.repaired, "created_at": iso(e.created_at)}


def drift(rt: Runtime, caller: Caller, *, policy_id=None, region=None, resource_type=None,
          limit=100, marker=None, all_projects=False) -> list[dict]:
    if policy_id is not None:
        _load(rt, caller, policy_id)
    project = None if all_projects else caller.project_id   # the route checked the rule
    types = resource_type.split(",") if resource_type else None
    return [drift_view(e) for e in list_drift(rt.store.db_url, project_id=project,
                                              policy_id=policy_id, region=region,
                                              resource_types=types, limit=limit,
                                              marker=marker)]
