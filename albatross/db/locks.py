"""Named leases in the database: the only lock every worker on every host can see.

`held` is how a long task keeps one: it takes the lease, renews it in the background every
third of its TTL (one thread for all of the process's leases), and releases it at the end,
so that a TTL of minutes is enough however long the task runs, and a crashed holder's lease
frees within one TTL."""
import contextlib
import datetime
import logging
import threading
import time

from sqlalchemy import delete, update
from sqlalchemy.exc import IntegrityError

from albatross.db.engine import read_scope, session_scope
from albatross.db.models import SyncLock, utcnow

LOG = logging.getLogger(__name__)


def acquire(db_url: str, name: str, owner: str, ttl: float) -> bool:
    """Take `name` if it is free, expired, or already ours."""
    now = utcnow()
    expires = now + datetime.timedelta(seconds=ttl)
    with session_scope(db_url) as s:
        res = s.execute(update(SyncLock).where(
            SyncLock.name == name,
            (SyncLock.expires_at < now) | (SyncLock.owner == owner))
            .values(owner=owner, expires_at=expires))
        if res.rowcount == 1:
            return True
    try:
        with session_scope(db_url) as s:
            s.add(SyncLock(name=name, owner=owner, expires_at=expires))
        return True
    except IntegrityError:
        return False


def renew(db_url: str, name: str, owner: str, ttl: float) -> bool:
    """Push the expiry of `name` on by `ttl`, only if `owner` still holds it (compare-and-set
    on the owner); False when another owner has taken it over (or it is gone)."""
    with session_scope(db_url) as s:
        res = s.execute(update(SyncLock).where(SyncLock.name == name, SyncLock.owner == owner)
                        .values(expires_at=utcnow() + datetime.timedelta(seconds=ttl)))
        return res.rowcount == 1


def release(db_url: str, name: str, owner: str) -> None:
    with session_scope(db_url) as s:
        s.execute(delete(SyncLock).where(SyncLock.name == name, SyncLock.owner == owner))


def holder(db_url: str, name: str) -> str | None:
    """Who holds `name` now (None when free or expired)."""
    with read_scope(db_url) as s:
        lock = s.get(SyncLock, name)
        return lock.owner if lock is not None and lock.expires_at >= utcnow() else None


class Busy(Exception):
    """`held` could not take the lease in time: another owner holds it."""


class Lease:
    """A lease this process holds, renewed every ttl/3 while held (by the process's one
    renewer thread: a batch of tasks may hold hundreds).

    `lost` turns true, for good, when a renewal finds another owner, or when no renewal has
    succeeded within the TTL (the database was unreachable: another worker may have taken the
    lease since). The holder checks it before each write and stops when it is set."""

    def __init__(self, db_url: str, name: str, owner: str, ttl: float, valid_from: float):
        self.db_url, self.name, self.owner, self.ttl = db_url, name, owner, ttl
        self._valid_until = valid_from + ttl  # monotonic; counted from before the write
        self.next_renewal = valid_from + ttl / 3
        self._lost = threading.Event()

    @property
    def lost(self) -> bool:
        if not self._lost.is_set() and time.monotonic() > self._valid_until:
            self._lose(f"could not be renewed within its {self.ttl:g}s")
        return self._lost.is_set()

    def _lose(self, why: str) -> None:
        if self._lost.is_set():
            return
        self._lost.set()
        LOG.error("LEASE LOST: %s (owner %s) %s; its holder stops before its next write",
                  self.name, self.owner, why)

    def renew_now(self) -> None:
        started = time.monotonic()
        self.next_renewal = started + self.ttl / 3
        try:
            ours = renew(self.db_url, self.name, self.owner, self.ttl)
        except Exception:
            LOG.exception("lease %s: renewal failed; trying again in %.0fs",
                          self.name, self.ttl / 3)
            return
        if not ours:
            self._lose("was taken over by another owner")
        else:
            self._valid_until = started + self.ttl


class _Renewer:
    """One daemon thread renewing every lease the process holds, each when due."""

    def __init__(self):
        self._leases: set[Lease] = set()
        self._lock = threading.Lock()
        self._changed = threading.Event()
        self._thread: threading.Thread | None = None

    def hold(self, lease: Lease) -> None:
        with self._lock:
            self._leases.add(lease)
            if self._thread is None:
                self._thread = threading.Thread(target=self._loop, name="lease-renewer",
                                                daemon=True)
                self._thread.start()
        self._changed.set()

    def drop(self, lease: Lease) -> None:
        with self._lock:
            self._leases.discard(lease)

    def _loop(self) -> None:
        while True:
            with self._lock:
                leases = list(self._leases)
            now = time.monotonic()
            for lease in leases:
                if lease.next_renewal <= now and not lease._lost.is_set() \
                        and lease in self._leases:
                    lease.renew_now()
            with self._lock:
                due = min((x.next_renewal for x in self._leases), default=now + 60)
            self._changed.wait(min(max(due - time.monotonic(), 0.01), 60))
            self._changed.clear()


_RENEWER = _Renewer()


@contextlib.contextmanager
def held(db_url: str, name: str, owner: str, ttl: float, *, wait: float = 0.0,
         poll: float = 0.5):
    """Hold `name` for the `with` block, as a Lease: take it (retrying every `poll` seconds
    for up to `wait` seconds, else raise Busy), renew it while the block runs, release it on
    exit (a no-op if it was lost to another owner)."""
    deadline = time.monotonic() + wait
    while True:
        started = time.monotonic()
        if acquire(db_url, name, owner, ttl):
            break
        if started > deadline:
            raise Busy(f"{name} is held by another owner")
        time.sleep(poll)
    lease = Lease(db_url, name, owner, ttl, valid_from=started)
    _RENEWER.hold(lease)
    try:
        yield lease
    finally:
        _RENEWER.drop(lease)
        release(db_url, name, owner)
