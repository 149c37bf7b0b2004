"""SSH keypairs: copy a user's public key (name, key, type) to other regions.

Keypairs belong to a Nova *user*. Albatross acts with its own service credentials and names
the owner with `user_id` (compute microversion 2.10), so it never stores or forwards a user's
token and a job can run long after the request's token expired."""
from dataclasses import dataclass

from albatross.reconcilers.base import (FannedOut, NotInSource, Outcome, Plan,
                                        PlannedReconciler, TaskContext)
from albatross.regions import errors as region_errors
from albatross.regions import keypairs as nova_keypairs


@dataclass(frozen=True)
class KeypairState:
    name: str
    public_key: str
    type: str = "ssh"
    fingerprint: str | None = None

    @property
    def key_material(self) -> tuple[str, ...]:
        """Type and base64 body: the comment after them does not change the key."""
        parts = self.public_key.split()
        return tuple(parts[:2]) if self.type == "ssh" else tuple(parts)


def snapshot(kp) -> dict:
    return {"public_key": kp.public_key, "type": kp.type or "ssh",
            "fingerprint": kp.fingerprint}


def read_keypair(conn, name: str, user_id: str) -> KeypairState | None:
    kp = nova_keypairs.get_keypair(conn, name, user_id)
    if kp is None:
        return None
    return KeypairState(kp.name, kp.public_key, kp.type or "ssh", kp.fingerprint)


def diff_keypair(source: KeypairState, target: KeypairState | None, force: bool) -> Plan:
    if target is None:
        return Plan("create", "absent in target", source, None)
    if target.type == source.type and target.key_material == source.key_material:
        return Plan("none", "identical key already present", source, target)
    if force:
        return Plan("replace", "a different key has this name; force replaces it", source,
                    target)
    return Plan("conflict", f"keypair {source.name!r} already exists with a different public "
                            f"key (fingerprint {target.fingerprint}); set force to replace it",
                source, target)


class KeypairReconciler(FannedOut, PlannedReconciler):
    """One keypair to one region; a job's copies of a keypair run at once (FannedOut)."""
    resource_type = "keypair"

    def read_source(self, ctx: TaskContext) -> KeypairState:
        if ctx.payload.get("public_key"):
            p = ctx.payload
            return KeypairState(ctx.resource, p["public_key"], p.get("type") or "ssh",
                                p.get("fingerprint"))
        state = read_keypair(ctx.registry.connection(ctx.source_region), ctx.resource,
                             ctx.user_id)
        if state is None:
            raise NotInSource(f"keypair {ctx.resource!r} not found in {ctx.source_region}")
        return state

    def read_target(self, ctx: TaskContext) -> KeypairState | None:
        return read_keypair(ctx.registry.connection(ctx.target_region), ctx.resource,
                            ctx.user_id)

    def diff(self, source, target, force) -> Plan:
        return diff_keypair(source, target, force)

    def apply(self, plan: Plan, ctx: TaskContext) -> Outcome:
        src: KeypairState = plan.desired
        if plan.action == "none":
            return Outcome("none", False, src.name, plan.current.fingerprint)
        conn = ctx.registry.connection(ctx.target_region)
        if plan.action == "replace":
            nova_keypairs.delete_keypair(conn, src.name, ctx.user_id)
        try:
            kp = nova_keypairs.create_keypair(conn, name=src.name, public_key=src.public_key,
                                              type=src.type, user_id=ctx.user_id)
        except region_errors.Conflict:
            # created meanwhile (a crashed earlier attempt, a concurrent run): look again
            current = self.read_target(ctx)
            again = self.diff(src, current, ctx.force)
            if again.action != "none":
                raise
            return Outcome("none", False, src.name, current.fingerprint)
        return Outcome(plan.action, True, kp.name, kp.fingerprint)
