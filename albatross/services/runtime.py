"""The long-lived objects one process shares: config, job store, regions, health, dispatcher."""
from dataclasses import dataclass
from functools import cached_property

from albatross.db.work_queue import WorkQueue
from albatross.db.jobs import JobStore
from albatross.regions.health import HealthProbe
from albatross.regions.registry import RegionRegistry


@dataclass
class Runtime:
    conf: object
    store: JobStore
    registry: RegionRegistry
    health: HealthProbe
    dispatcher: object

    @cached_property
    def work_queue(self) -> WorkQueue:
        return WorkQueue(self.store.db_url)

    def enqueue(self, kind: str, key: str) -> None:
        """Ask a controller to run for `key` now (de-duplicated), and tell the workers."""
        item = self.work_queue.ask(kind, key)
        if item:
            self.dispatcher.dispatch([item])

    @classmethod
    def from_conf(cls, conf, dispatcher=None, registry: RegionRegistry | None = None):
        from albatross.jobs.dispatch import NullDispatcher
        registry = registry or RegionRegistry.from_conf(conf)
        return cls(conf=conf, store=JobStore(conf.database.connection), registry=registry,
                   health=HealthProbe(registry, conf.regions.health_timeout,
                                      conf.regions.health_cache_seconds,
                                      conf.regions.health_stale_seconds),
                   dispatcher=dispatcher or NullDispatcher())
