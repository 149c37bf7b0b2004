"""Trusts end with their owner: a finished job's own trust, a deleted policy's, etc."""
import logging

from albatross.db.trusts import TrustStore
from albatross.db.jobs import JobStore

LOG = logging.getLogger(__name__)


RETIRED = "retired"  # owner_kind of a trust its owner gave up while jobs still use it


def release(db_url: str, registry, owner_kind: str, owner_id: str) -> int:
    """Delete the trusts `owner` holds, in Keystone and here. One that unfinished jobs still
    act through (an audit of a deleted policy, the wave of a rollout someone else now
    lends their authority to) is retired instead, and deleted when the last of them ends.
    A Keystone that cannot be reached keeps the row, so a later release tries again."""
    store, n = TrustStore(db_url), 0
    for trust in store.owned_by(owner_kind, owner_id):
        if owner_kind != "job" and JobStore(db_url).trust_in_use(trust.id):
            store.reassign(trust.id, RETIRED, trust.id)
            continue
        n += _delete(store, registry, trust.id, f"of {owner_kind} {owner_id}")
    return n


def sweep(db_url: str, registry, trust_id: str) -> None:
    """After a job ends: its borrowed trust, if retired and no longer used, goes."""
    if JobStore(db_url).trust_in_use(trust_id):
        return
    store = TrustStore(db_url)
    for trust in store.owned_by(RETIRED, trust_id):
        _delete(store, registry, trust.id, "retired")


def _delete(store: TrustStore, registry, trust_id: str, what: str) -> int:
    if not discard(registry, trust_id, what):
        return 0
    store.forget(trust_id)
    return 1


def discard(registry, trust_id: str, what: str = "that stopped working") -> bool:
    """Delete the trust in Keystone (gone already is fine); False if Keystone could not be
    reached or refused, so the row stays for a later try."""
    try:
        registry.delete_trust(trust_id)
    except Exception as exc:
        LOG.warning("trust %s %s not deleted yet: %s", trust_id, what, type(exc).__name__)
        return False
    return True

