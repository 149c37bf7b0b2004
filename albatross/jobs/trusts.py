"""Trusts end with their owner: a finished job's own trust, a deleted policy's, etc."""
import logging

from albatross.db.trusts import TrustStore

LOG = logging.getLogger(__name__)


def release(db_url: str, registry, owner_kind: str, owner_id: str) -> int:
    """Delete the trusts `owner` holds, in Keystone and here; a Keystone that cannot be reached
    keeps the row, so a later release (or the janitor) tries again."""
    store, n = TrustStore(db_url), 0
    for trust in store.owned_by(owner_kind, owner_id):
        try:
            registry.delete_trust(trust.id)
        except Exception as exc:
            LOG.warning("trust %s of %s %s not deleted yet: %s", trust.id, owner_kind,
                        owner_id, type(exc).__name__)
            continue
        store.forget(trust.id)
        n += 1
    return n


def discard(registry, trust_id: str) -> None:
    """Best effort: a trust that stopped working is removed from Keystone too, if it is
    still there (Keystone itself drops it when a delegated role is revoked)."""
    try:
        registry.delete_trust(trust_id)
    except Exception as exc:
        LOG.warning("dead trust %s not deleted: %s", trust_id, type(exc).__name__)
