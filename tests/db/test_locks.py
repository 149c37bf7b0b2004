"""Named leases (db/locks.py) on every backend: a held lease is renewed beyond its TTL, one
whose holder stopped renewing is taken over once the TTL has passed, and a holder that lost
its lease sees `lost`. Short TTLs keep this fast."""
import threading
import time

import pytest
from sqlalchemy import update

from albatross.db import locks
from albatross.db.engine import session_scope
from albatross.db.models import SyncLock

TTL = 0.5


def _soon(predicate, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


def test_a_held_lease_is_renewed_beyond_its_ttl(db_url):
    with locks.held(db_url, "L", "a", TTL) as lease:
        time.sleep(3 * TTL)
        assert locks.holder(db_url, "L") == "a"
        assert not locks.acquire(db_url, "L", "b", TTL)
        assert not lease.lost
    assert locks.holder(db_url, "L") is None  # released on exit
    assert locks.acquire(db_url, "L", "b", TTL)


def test_busy_for_others_but_taken_back_at_once_by_its_owner(db_url):
    assert locks.acquire(db_url, "L", "a", 60)
    started = time.monotonic()
    with pytest.raises(locks.Busy):
        with locks.held(db_url, "L", "b", TTL, wait=0.3, poll=0.1):
            pass
    assert time.monotonic() - started >= 0.3
    with locks.held(db_url, "L", "a", TTL) as lease:  # e.g. the task's own re-run
        assert not lease.lost
    assert locks.holder(db_url, "L") is None


def test_a_lease_no_longer_renewed_is_taken_over_after_its_ttl(db_url):
    assert locks.acquire(db_url, "L", "a", TTL)  # its holder crashed right after
    assert not locks.acquire(db_url, "L", "b", TTL)
    started = time.monotonic()
    with locks.held(db_url, "L", "b", TTL, wait=5 * TTL, poll=0.05) as lease:
        assert time.monotonic() - started < 3 * TTL
        assert locks.holder(db_url, "L") == "b" and not lease.lost


def test_a_holder_whose_lease_was_taken_over_sees_lost(db_url, caplog):
    with locks.held(db_url, "L", "a", TTL) as lease:
        with session_scope(db_url) as s:  # another owner has it now
            s.execute(update(SyncLock).where(SyncLock.name == "L").values(owner="b"))
        assert _soon(lambda: lease.lost, TTL)  # seen by the next renewal (every TTL/3)
        assert "taken over" in caplog.text
    assert locks.holder(db_url, "L") == "b"  # leaving did not release b's lease


def test_a_stalled_holder_loses_its_lease_after_its_ttl(db_url, monkeypatch):
    """Its renewals do not get through (a frozen process, an unreachable database): once the
    TTL has passed another worker may take the lease, so the holder must count it lost."""
    gate, renew = threading.Event(), locks.renew

    def stalled(*args):
        gate.wait()
        return renew(*args)

    monkeypatch.setattr(locks, "renew", stalled)
    with locks.held(db_url, "L", "a", TTL) as lease:
        assert not lease.lost
        time.sleep(TTL + 0.1)
        assert locks.acquire(db_url, "L", "b", 60)  # taken over
        assert lease.lost
        gate.set()
    assert locks.holder(db_url, "L") == "b"
