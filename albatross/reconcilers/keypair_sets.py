"""A sync policy's keypairs in one target region: missing ones are created, a different key
under a kept name is replaced (the policy says the source is the truth), and copies whose
source was deleted go only if the policy propagates deletes and Albatross created them."""
from dataclasses import dataclass

from albatross.reconcilers.base import FannedOut, Outcome, Plan, Reconciler, TaskContext
from albatross.reconcilers.keypairs import KeypairState
from albatross.regions import keypairs as nova_keypairs


def snapshot_keypairs(conn, user_id: str) -> dict[str, dict]:
    """Every keypair of the user in one region (one call: the list carries the keys)."""
    return {kp.name: {"public_key": kp.public_key, "type": kp.type or "ssh",
                      "fingerprint": kp.fingerprint}
            for kp in nova_keypairs.list_keypairs(conn, user_id)}


def _state(name: str, d: dict) -> KeypairState:
    return KeypairState(name, d["public_key"], d.get("type") or "ssh", d.get("fingerprint"))


@dataclass
class KeypairSetPlan:
    create: list[KeypairState]
    replace: list[KeypairState]
    delete: list[str]
    drift: list[dict]

    @property
    def writes(self) -> int:
        return len(self.create) + 2 * len(self.replace) + len(self.delete)


def plan_keypairs(source: dict[str, dict], target: dict[str, dict],
                  gone: dict[str, bool], propagate_deletes: bool) -> KeypairSetPlan:
    """Pure. `gone`: mapped names deleted in the source -> whether Albatross created the
    copy."""
    plan = KeypairSetPlan([], [], [], [])
    for name, d in sorted(source.items()):
        want = _state(name, d)
        have = target.get(name)
        if have is None:
            plan.create.append(want)
            plan.drift.append({"kind": "missing", "name": name, "detail": "not in target"})
        elif _state(name, have).key_material != want.key_material or \
                (have.get("type") or "ssh") != want.type:
            plan.replace.append(want)
            plan.drift.append({"kind": "different", "name": name,
                               "detail": f"fingerprint {have.get('fingerprint')} instead of "
                                         f"{want.fingerprint}"})
    for name, created in sorted(gone.items()):
        if name not in target:
            continue
        if propagate_deletes and created:
            plan.delete.append(name)
            plan.drift.append({"kind": "deleted", "name": name,
                               "detail": "deleted in the source; the copy is deleted"})
        else:
            plan.drift.append({"kind": "deleted", "name": name, "repairable": False,
                               "detail": "deleted in the source; the copy is kept"})
    return plan


class KeypairSetReconciler(FannedOut, Reconciler):
    resource_type = "keypair_set"
    tracks_mappings = False

    def _mappings(self, ctx: TaskContext):
        return ctx.records.mappings("keypair", ctx.user_id)

    def read_source(self, ctx: TaskContext) -> dict[str, dict]:
        return ctx.payload["keypairs"]

    def read_target(self, ctx: TaskContext) -> tuple[dict[str, dict], dict[str, bool]]:
        target = snapshot_keypairs(ctx.registry.connection(ctx.target_region), ctx.user_id)
        source_names = set(ctx.payload.get("source_names", ()))
        scope, policy = ctx.payload.get("scope"), ctx.payload.get("policy_id")
        gone = {name: row.created_by_albatross for name, row in self._mappings(ctx).load().items()
                if name not in source_names and (scope == "all" or policy in
                                                  (row.details or {}).get("policies", ()))}
        return target, gone

    def diff(self, source, target, force, propagate_deletes: bool = False) -> Plan:
        current, gone = target
        kp = plan_keypairs(source, current, gone, propagate_deletes)
        return Plan("update" if kp.writes else "none", "", source, current, {"plan": kp})

    def reconcile(self, ctx: TaskContext) -> Outcome:
        plan = self.diff(self.read_source(ctx), self.read_target(ctx), ctx.force,
                         bool(ctx.payload.get("propagate_deletes")))
        repair = ctx.payload.get("repair", True)
        outcome = self.apply(plan, ctx) if repair else Outcome("none", False)
        outcome.details["drift"] = plan.details["plan"].drift
        if ctx.payload.get("policy_id"):
            ctx.records.drift(policy_id=ctx.payload["policy_id"], resource_type="keypair",
                              items=plan.details["plan"].drift, repaired=repair)
        return outcome

    def apply(self, plan: Plan, ctx: TaskContext) -> Outcome:
        kp: KeypairSetPlan = plan.details["plan"]
        conn = ctx.registry.connection(ctx.target_region)
        mappings = self._mappings(ctx)
        known = mappings.load()
        policy = ctx.payload.get("policy_id")
        for state in kp.replace:
            nova_keypairs.delete_keypair(conn, state.name, ctx.user_id)
        for state in kp.create + kp.replace:
            made = nova_keypairs.create_keypair(conn, name=state.name,
                                                public_key=state.public_key, type=state.type,
                                                user_id=ctx.user_id)
            row = known.get(state.name)
            policies = set((row.details or {}).get("policies", ())) if row else set()
            if policy:
                policies.add(policy)
            mappings.put(state.name, made.name, created=True, task_id=ctx.task_id,
                         details={"policies": sorted(policies)})
        for name in kp.delete:
            nova_keypairs.delete_keypair(conn, name, ctx.user_id)
            mappings.remove(name)
        return Outcome("update" if kp.writes else "none", bool(kp.writes),
                       details={"writes": kp.writes, "created": [s.name for s in kp.create],
                                "replaced": [s.name for s in kp.replace],
                                "deleted": kp.delete})
