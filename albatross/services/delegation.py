"""How the service layer acts for a caller: the request's token for work done inside the
request, a Keystone trust (made now, with the caller's token) for work that outlives it."""
import datetime


from albatross.db.models import utcnow
from albatross.db.trusts import TrustGrant
from albatross.exceptions import Forbidden, UpstreamUnavailable
from albatross.jobs import trusts as job_trusts
from albatross.regions.delegation import Authority, DelegationLost
from albatross.services.caller import Caller
from albatross.regions import errors as region_errors
from albatross.services.runtime import Runtime

MAX_SAME_SECOND = 20  # trusts of one user made in one second


def acting(rt: Runtime, caller: Caller):
    """The regions as the caller sees them, with the request's own token."""
    return rt.registry.acting_for(caller.authority, caller.global_id)


def grant(rt: Runtime, caller: Caller, *, owned: bool = True,
          lifetime_hours: int | None = None) -> TrustGrant:
    """A trust from the caller to Albatross on the caller's project, with the caller's roles.
    `lifetime_hours` None: the job default; 0: until its owner deletes it."""
    hours = rt.conf.delegation.job_trust_hours if lifetime_hours is None else lifetime_hours
    expires = utcnow().replace(microsecond=0) + datetime.timedelta(hours=hours) \
        if hours else None
    try:
        trust_id = _create(rt, caller, expires)
    except DelegationLost:
        raise Forbidden("Keystone refused this request's token for delegation",
                        field="X-Auth-Token") from None
    except region_errors.Forbidden:
        raise Forbidden("Keystone refused to make a trust from this token: a token made from "
                        "a trust or an application credential cannot delegate; authenticate "
                        "as the user (password or a token of the user)",
                        field="X-Auth-Token") from None
    except (*region_errors.UNREACHABLE, region_errors.SDKError) as exc:
        raise UpstreamUnavailable(f"Keystone could not make the trust this work needs "
                                  f"({type(exc).__name__}); nothing was started") from None
    return TrustGrant(trust_id, caller.user_id, caller.project_id, expires, owned)


def _create(rt: Runtime, caller: Caller, expires) -> str:
    """Keystone refuses (409) a second trust equal to one the user has (same trustee,
    project and expiry to the second): two jobs started in the same second get expiries a
    second apart."""
    for attempt in range(MAX_SAME_SECOND):
        try:
            return rt.registry.create_trust(caller.authority, caller.roles, expires)
        except region_errors.Conflict:
            if expires is None or attempt == MAX_SAME_SECOND - 1:
                raise
            expires += datetime.timedelta(seconds=1)


def release(rt: Runtime, owner_kind: str, owner_id: str) -> int:
    return job_trusts.release(rt.store.db_url, rt.registry, owner_kind, owner_id)


def lend(rt: Runtime, caller: Caller, owner_kind: str, owner_id: str) -> TrustGrant:
    """`caller` lends their authority to a long-lived owner (a policy, a rollout, a project's
    auto mode) until it is deleted, in place of whoever lent it before."""
    trust = grant(rt, caller, lifetime_hours=0)
    release(rt, owner_kind, owner_id)
    rt.trusts.add(trust, owner_kind, owner_id)
    return trust


def borrowed(trust_id: str | None, user_id: str, project_id: str) -> TrustGrant | None:
    """An owner's trust as its jobs use it (not theirs to delete)."""
    return TrustGrant(trust_id, user_id, project_id, owned=False) if trust_id else None


def acting_through(rt: Runtime, trust_id: str | None, user_id: str, project_id: str,
                   what: str):
    """The regions as the trust's user sees them; an owner without a trust (made before
    Albatross acted through trusts) cannot act: never the service account instead."""
    if not trust_id:
        raise DelegationLost(f"{what} holds no trust of its user (made before Albatross acted "
                             "through trusts); act on it as a member of the project to "
                             "delegate again")
    return rt.registry.acting_for(Authority(user_id, project_id, trust_id=trust_id))
