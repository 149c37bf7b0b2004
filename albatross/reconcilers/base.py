"""The interfaces of the work Albatross does (as Kubernetes controllers do): a Reconciler per
synced resource type runs a job's task (`reconcile(ctx) -> Outcome`, read/diff/apply where it
fits), a Controller per kind of background work runs a work item. Level-triggered: each run
looks at the world as it is now, so running twice (after a crash, a retry, a duplicate
message) is harmless."""
import abc
from dataclasses import dataclass, field
from typing import Any, Callable, ClassVar

from albatross.regions.registry import RegionRegistry


class Conflict(Exception):
    """The target holds something else under the same name and we may not replace it."""


class Unsupported(Exception):
    """No reconciler for this resource type (a task written by a newer version)."""


class RegionsFailed(Exception):
    """Some regions could not be read or written; the others were handled. Worth a retry
    unless every failure was a refusal (4xx)."""

    def __init__(self, message: str, transient: bool = True):
        super().__init__(message)
        self.transient = transient


def check_lease(lease, region: str) -> None:
    """A checkpoint before writing under a renewed DB lease (db.locks.held): once the lease is
    lost, another worker may be writing the same objects, so stop (a retry waits for it)."""
    if lease.lost:
        raise RegionsFailed(f"{region}: lost the lease {lease.name} (taken over, or not renewed "
                            "in time); stopped before writing more")


class NotInSource(Exception):
    """The resource to copy is gone from the source region."""


@dataclass
class TaskContext:
    registry: RegionRegistry
    resource: str
    source_region: str
    target_region: str
    force: bool
    payload: dict
    project_id: str
    user_id: str
    task_id: str
    db_url: str = ""
    options: dict = field(default_factory=dict)
    report: Callable[[dict], None] | None = None  # a running task's progress
    # what the executor provides: where the reconciler records mappings, drift and
    # unreachable regions (jobs/records.py), and the lease of the Lock it declared, held
    records: Any = None
    lease: Any = None


@dataclass(frozen=True)
class Lock:
    """A lock a reconciler declares (Reconciler.lock) and the executor holds, renewed, for
    one task's whole run: two tasks that would write the same objects never run at once. Its
    owner is the task id, so the task's own re-run (a retry, a takeover) takes it back at
    once. Busy after `wait` seconds: the task says `busy` and is retried."""
    name: str
    ttl: float
    busy: str
    wait: float = 0.0


PLAN_ACTIONS = ("none", "create", "update", "replace", "fill", "recreate", "rebalance",
                "restore", "conflict")


@dataclass
class Plan:
    """What a diff decided. `action`, one of PLAN_ACTIONS: nothing to do, create, update in
    place, replace (delete and create), fill a record made earlier without its data, recreate
    an unfinished copy, rebalance (quotas), restore (a region back to its snapshot), or a
    conflict the target holds and we may not touch."""
    action: str
    reason: str = ""
    desired: Any = None
    current: Any = None
    details: dict = field(default_factory=dict)


@dataclass
class Outcome:
    action: str
    written: bool
    target_id: str | None = None
    fingerprint: str | None = None
    details: dict = field(default_factory=dict)
    created: bool | None = None  # Albatross made the target object (None: same as written)
    requeue_after: float | None = None  # a controller's item: run again in this many seconds


class Reconciler(abc.ABC):
    """A task's work for one resource in one target region: `reconcile` is the only method a
    type must have (PlannedReconciler adds read/diff/apply for the types it fits)."""
    resource_type: ClassVar[str]
    tracks_mappings: ClassVar[bool] = True  # records source -> target in resource_mappings
    batched: ClassVar[bool] = False  # reconcile_batch serves a job's tasks for one resource
    batch_limit: ClassVar[int] = 500  # tasks in one batch (each may hold a lock, a stream)
    # writes into the user's project, so ctx.registry carries the job's trust (False: the
    # admin-only work of the service account, e.g. native quota limits and flavors)
    acts_for_user: ClassVar[bool] = True

    @abc.abstractmethod
    def reconcile(self, ctx: TaskContext) -> Outcome: ...

    def lock(self, ctx: TaskContext) -> Lock | None:
        """The lock this task's run needs (ctx.lease holds it then), if any."""
        return None

    def reconcile_batch(self, ctxs: list[TaskContext]) -> dict[str, Outcome | Exception]:
        """Several target regions of one resource at once (task id -> outcome or error)."""
        raise NotImplementedError


class FannedOut:
    """Mixin for a Reconciler whose job holds one task per target region for a resource:
    the executor leases them together (up to a batch) and they run at once through the
    registry's fan-out ([regions] max_parallel threads), not one after another on the
    worker's few threads."""
    batched: ClassVar[bool] = True

    def reconcile_batch(self, ctxs: list[TaskContext]) -> dict[str, Outcome | Exception]:
        by_task = {ctx.task_id: ctx for ctx in ctxs}
        return ctxs[0].registry.fan_out(lambda t: self.reconcile(by_task[t]), list(by_task))


class PlannedReconciler(Reconciler):
    """read source, read target, a pure diff, apply: for the types whose work is one plan."""

    @abc.abstractmethod
    def read_source(self, ctx: TaskContext) -> Any: ...

    @abc.abstractmethod
    def read_target(self, ctx: TaskContext) -> Any | None: ...

    @abc.abstractmethod
    def diff(self, source: Any, target: Any | None, force: bool) -> Plan:
        """Pure: no I/O, so it is unit-tested exhaustively."""

    @abc.abstractmethod
    def apply(self, plan: Plan, ctx: TaskContext) -> Outcome: ...

    def reconcile(self, ctx: TaskContext) -> Outcome:
        source = self.read_source(ctx)
        plan = self.diff(source, self.read_target(ctx), ctx.force)
        if plan.action == "conflict":
            raise Conflict(plan.reason)
        return self.apply(plan, ctx)


@dataclass
class ControllerContext:
    """What a controller's run gets: its item's key and the service's own means (the service
    account's regions, the database, the configuration). `submit` makes a job (the jobs
    layer provides it: a controller never imports it)."""
    key: str
    registry: RegionRegistry
    health: Any
    conf: Any
    db_url: str
    submit: Callable[..., str]


class Controller(abc.ABC):
    """Background work keyed by its object (Kubernetes' Reconcile(request) -> result): the
    resync loop enqueues the keys `due` names, a worker runs `reconcile` for one key at a
    time, and its Outcome's requeue_after brings the key back. Level-triggered: each run
    looks at the world as it is, so a run repeated after a crash is harmless."""
    kind: ClassVar[str]

    @abc.abstractmethod
    def resync_interval(self, conf) -> float:
        """How often `due` is asked (0: never: the controller is off, or only events
        queue its keys)."""

    def due(self, ctx: ControllerContext) -> list[str]:
        """The keys that need a run now; a singleton controller has the one key "all"."""
        return ["all"]

    @abc.abstractmethod
    def reconcile(self, ctx: ControllerContext) -> Outcome: ...
