"""The embedded worker: threads inside `albatross serve` that lease due tasks from the DB,
renew their leases while they run, and pick up tasks orphaned by a crashed worker."""
import logging
import os
import socket
import threading
import uuid

from albatross.jobs.executor import TaskExecutor
from albatross.db.jobs import Claim, JobStore

LOG = logging.getLogger(__name__)


def worker_identity(kind: str) -> str:
    """Unique per process start: a restarted worker never mistakes an old lease for its own."""
    return f"{kind}@{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


class LeaseKeeper:
    """Renews the leases of the tasks this process is running, until they finish."""

    def __init__(self, store: JobStore, lease_seconds: float):
        self.store = store
        self.lease_seconds = lease_seconds
        self._held: dict[str, Claim] = {}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="lease-keeper", daemon=True)

    def start(self):
        self._thread.start()

    def stop(self):
        self._stop.set()

    def hold(self, claim: Claim):
        with self._lock:
            self._held[claim.task_id] = claim

    def release(self, claim: Claim):
        with self._lock:
            self._held.pop(claim.task_id, None)

    def _loop(self):
        while not self._stop.wait(self.lease_seconds / 3):
            with self._lock:
                held = list(self._held.values())
            if held:
                try:
                    self.store.renew(held, self.lease_seconds)
                except Exception:
                    LOG.exception("could not renew %d leases", len(held))


class EmbeddedWorker:
    def __init__(self, store: JobStore, executor: TaskExecutor, *, threads: int = 4,
                 lease_seconds: float = 30.0, poll_interval: float = 1.0):
        self.store = store
        self.executor = executor
        self.threads = threads
        self.lease_seconds = lease_seconds
        self.poll_interval = poll_interval
        self.owner = worker_identity("embedded")
        self.leases = LeaseKeeper(store, lease_seconds)
        executor.leases = self.leases
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    def start(self):
        self.leases.start()
        for i in range(self.threads):
            t = threading.Thread(target=self._loop, name=f"worker-{i}", daemon=True)
            t.start()
            self._threads.append(t)
        LOG.info("embedded worker %s started with %d threads", self.owner, self.threads)

    def notify(self, task_ids=()):
        """New work was committed: stop waiting for the next poll."""
        self._wake.set()

    def stop(self, timeout: float = 10.0):
        self._stop.set()
        self._wake.set()
        for t in self._threads:
            t.join(timeout)
        self.leases.stop()

    def run_one(self, claim: Claim) -> str:
        self.leases.hold(claim)
        try:
            return self.executor.run(claim)
        finally:
            self.leases.release(claim)

    def _loop(self):
        while not self._stop.is_set():
            try:
                claims = self.store.claim(self.owner, self.lease_seconds)
            except Exception:
                LOG.exception("could not claim tasks")
                claims = []
            if not claims:
                self._wake.wait(self.poll_interval)
                self._wake.clear()
                continue
            try:
                self.run_one(claims[0])
            except Exception:
                LOG.exception("task %s crashed its runner", claims[0].task_id)
