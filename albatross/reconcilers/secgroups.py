"""Security groups: one task per target region brings every selected group (and the groups and
address groups its rules point at) in line with the source snapshot taken at request time.

Phase 1 creates what is missing (address groups, then empty groups), recording each mapping
the moment the object exists; phase 2 re-reads the region and fixes fields, tags and rules with
every remote reference resolved, so cycles (a group allowing itself, two groups allowing each
other) need no ordering. One writer per (project, region) at a time: the lock it declares, held by the executor."""
from dataclasses import dataclass

from albatross.reconcilers.base import (FannedOut, Lock, Outcome, Plan, Reconciler,
                                        RegionsFailed, TaskContext, check_lease)
from albatross.regions import errors as region_errors
from albatross.regions import secgroups as neutron
from albatross.regions.errors import reason
from albatross.secgroups.model import Snapshot
from albatross.secgroups.plan import NEW, Mapped, Mappings, RegionPlan, plan_region

GROUP, ADDRESS_GROUP = "security_group", "address_group"
LOCK_TTL, LOCK_WAIT = 120.0, 30.0  # the lease is renewed every TTL/3 while the task runs


@dataclass
class TargetState:
    snapshot: Snapshot
    mappings: Mappings
    deleted_in_source: dict[str, Mapped]


def _stores(ctx: TaskContext):
    return (ctx.records.mappings(GROUP, ctx.project_id),
            ctx.records.mappings(ADDRESS_GROUP, ctx.project_id))


def _mapped(row) -> Mapped:
    details = row.details or {}
    return Mapped(row.target_id, row.created_by_albatross,
                  frozenset(details.get("rules", ())), frozenset(details.get("policies", ())))


def _in_scope(row, payload: dict) -> bool:
    scope = payload.get("scope", "none")
    return scope == "all" or (scope == "policy" and payload.get("policy_id") in
                              (row.details or {}).get("policies", ()))


class SecurityGroupReconciler(FannedOut, Reconciler):
    resource_type = GROUP
    tracks_mappings = False  # mappings are written object by object, as they are created

    def read_source(self, ctx: TaskContext) -> Snapshot:
        return Snapshot.from_dict(ctx.payload["source"])

    def read_target(self, ctx: TaskContext) -> TargetState:
        snapshot = neutron.read_snapshot(ctx.registry.connection(ctx.target_region),
                                         ctx.project_id)
        groups, ags = (s.load() for s in _stores(ctx))
        source_ids = set(ctx.payload.get("source_ids", ()))
        deleted = {sid: _mapped(row) for sid, row in groups.items()
                   if sid not in source_ids and _in_scope(row, ctx.payload)}
        return TargetState(snapshot, Mappings({k: _mapped(v) for k, v in groups.items()},
                                              {k: _mapped(v) for k, v in ags.items()}),
                           deleted)

    def diff(self, source: Snapshot, target: TargetState, force: bool,
             propagate_deletes: bool = False) -> Plan:
        rp = plan_region(source, target.snapshot, target.mappings,
                         deleted_in_source=target.deleted_in_source,
                         propagate_deletes=propagate_deletes)
        return Plan("update" if rp.writes else "none", f"{rp.writes} change(s)", source,
                    target, {"region_plan": rp})

    def lock(self, ctx: TaskContext) -> Lock:
        """One sync of a project's groups per target region at a time: they reference each
        other, so two writers would race on the same rules and mappings."""
        return Lock(f"{GROUP}:{ctx.project_id}:{ctx.target_region}", LOCK_TTL,
                    "another sync of this project's security groups is running there; "
                    "will retry", wait=LOCK_WAIT)

    def reconcile(self, ctx: TaskContext) -> Outcome:
        try:
            return self._reconcile(ctx, ctx.lease)
        except (*region_errors.UNREACHABLE, region_errors.SDKError) as exc:
            status = getattr(exc, "status_code", None)
            if ctx.payload.get("policy_id") and (status is None or status >= 500):
                ctx.records.unreachable(policy_id=ctx.payload["policy_id"],
                                        resource_type=GROUP, message=reason(exc))
            raise

    def _reconcile(self, ctx: TaskContext, lease) -> Outcome:
        source = self.read_source(ctx)
        deletes = bool(ctx.payload.get("propagate_deletes"))
        plan = self.diff(source, self.read_target(ctx), ctx.force, deletes)
        first: RegionPlan = plan.details["region_plan"]
        repair = ctx.payload.get("repair", True)
        stats = {"writes": 0, "groups_created": [], "rules_added": 0, "rules_removed": 0,
                 "groups_deleted": 0, "drift": [d.to_dict() for d in first.drift]}
        if repair and (first.writes or first.resolution.adopted or first.unmap_groups):
            check_lease(lease, ctx.target_region)
            self.apply(plan, ctx, stats)
            if first.create_groups or first.create_address_groups:
                again = self.diff(source, self.read_target(ctx), ctx.force, deletes)
                check_lease(lease, ctx.target_region)
                self.apply(again, ctx, stats)
        if ctx.payload.get("policy_id"):
            check_lease(lease, ctx.target_region)
            _adopt_into_policy(ctx, source)
            ctx.records.drift(policy_id=ctx.payload["policy_id"], resource_type=GROUP,
                              items=stats["drift"], repaired=repair)
        unresolved = [d for d in first.drift if not d.repairable and d.kind != "extra"
                      and d.kind != "deleted"]
        if repair and unresolved:
            raise RegionsFailed("; ".join(f"{d.name}: {d.detail}" for d in unresolved),
                                transient=False)
        return Outcome("update" if stats["writes"] else "none", bool(stats["writes"]),
                       details=stats)

    def apply(self, plan: Plan, ctx: TaskContext, stats: dict | None = None) -> Outcome:
        stats = stats if stats is not None else {"writes": 0, "groups_created": [],
                                                 "rules_added": 0, "rules_removed": 0,
                                                 "groups_deleted": 0}
        rp: RegionPlan = plan.details["region_plan"]
        _Writer(ctx, plan.desired, plan.current, rp, stats).run()
        return Outcome("update" if stats["writes"] else "none", bool(stats["writes"]),
                       details=stats)


def _adopt_into_policy(ctx: TaskContext, source: Snapshot) -> None:
    """Copies made earlier (by a one-off sync) now kept by this policy: remember it, so its
    delete propagation covers them."""
    store, policy = _stores(ctx)[0], ctx.payload["policy_id"]
    store.put_many([
        (sid, row.target_id, row.created_by_albatross, row.task_id,
         {**(row.details or {}), "policies": sorted({*(row.details or {}).get("policies", ()),
                                                     policy})})
        for sid, row in store.load().items()
        if sid in source.groups and policy not in (row.details or {}).get("policies", ())])


class _Writer:
    """Carries out one RegionPlan in dependency order and keeps the mapping table current."""

    def __init__(self, ctx: TaskContext, source: Snapshot, target: TargetState,
                 rp: RegionPlan, stats: dict):
        self.ctx, self.source, self.target, self.rp, self.stats = ctx, source, target, rp, stats
        self.conn = ctx.registry.connection(ctx.target_region)
        self.groups, self.address_groups = _stores(ctx)
        self.policy = ctx.payload.get("policy_id")

    def _details(self, sid: str, rules: frozenset[str]) -> dict:
        old = self.target.mappings.groups.get(sid)
        policies = set(old.policies) if old else set()
        if self.policy:
            policies.add(self.policy)
        return {"rules": sorted(rules), "policies": sorted(policies)}

    def run(self) -> None:
        ctx, rp, st, pid = self.ctx, self.rp, self.stats, self.ctx.project_id
        res = rp.resolution
        adopted = [sid for sid in res.adopted if sid in res.groups]   # they exist already
        self.groups.put_many([(sid, res.groups[sid], False, ctx.task_id,
                               self._details(sid, frozenset())) for sid in adopted])
        self.address_groups.put_many([(sid, res.address_groups[sid], False, ctx.task_id, None)
                                      for sid in res.adopted if sid not in res.groups])
        for sid in rp.create_address_groups:
            tid = neutron.create_address_group(self.conn, pid, self.source.address_groups[sid])
            self.address_groups.put(sid, tid, created=True, task_id=ctx.task_id)
            st["writes"] += 1
        for sid in rp.create_groups:
            g = self.source.groups[sid]
            tid, _rules = neutron.create_group(self.conn, pid, g.name, g.description,
                                               g.stateful)
            self.groups.put(sid, tid, created=True, task_id=ctx.task_id,
                            details=self._details(sid, frozenset()))
            st["writes"] += 1
            st["groups_created"].append(g.name)
            if g.tags:
                st["writes"] += neutron.update_group(self.conn, tid, {"tags": g.tags})
        if rp.create_groups or rp.create_address_groups:
            return  # phase 2 re-plans with the new objects' ids and Neutron's default rules
        self._update_in_place()

    def _update_in_place(self) -> None:
        conn, rp, st = self.conn, self.rp, self.stats
        for _sid, tid, changes in rp.update_address_groups:
            neutron.update_address_group(conn, tid, changes)
            st["writes"] += 1
        for tid, addresses in rp.add_addresses:
            neutron.add_addresses(conn, tid, addresses)
            st["writes"] += 1
        for tid, addresses in rp.remove_addresses:
            neutron.remove_addresses(conn, tid, addresses)
            st["writes"] += 1
        for _sid, tid, changes in rp.update_groups:
            st["writes"] += neutron.update_group(self.conn, tid, changes)
        owned = {sid: set(m.owned_rules) for sid, m in self.target.mappings.groups.items()}
        touched = set()
        for sid, rid in rp.remove_rules:
            neutron.delete_rule(conn, rid)
            owned.setdefault(sid, set()).discard(rid)
            touched.add(sid)
            st["writes"] += 1
            st["rules_removed"] += 1
        by_group: dict[str, list] = {}
        for sid, rule in rp.add_rules:
            by_group.setdefault(sid, []).append(rule)
        for sid, rules in by_group.items():
            if any((r.remote_group or "").startswith(NEW) for r in rules):
                continue  # cannot happen after phase 1; never send a placeholder id
            ids, calls = neutron.create_rules(self.conn, self.ctx.project_id,
                                              self.rp.resolution.groups[sid], rules)
            owned.setdefault(sid, set()).update(ids)
            touched.add(sid)
            st["writes"] += calls
            st["rules_added"] += len(rules)
        rows = []
        for sid in touched:
            m = self.target.mappings.groups.get(sid)
            tid = self.rp.resolution.groups[sid]
            created = m is not None and m.created and m.target_id == tid
            rows.append((sid, tid, created, self.ctx.task_id,
                         self._details(sid, frozenset(owned[sid]))))
        self.groups.put_many(rows)   # the rules exist already: one transaction records all
        for sid, tid in rp.delete_groups:
            neutron.delete_group(conn, tid)
            self.groups.remove(sid)
            st["writes"] += 1
            st["groups_deleted"] += 1
        for sid in rp.unmap_groups:
            self.groups.remove(sid)
