"""The long-lived objects one process shares: config, job store, regions, health, dispatcher."""
from dataclasses import dataclass
from functools import cached_property

from albatross.db.addresses import AddressStore
from albatross.db.events import EventStore
from albatross.db.image_settings import SettingStore
from albatross.db.indicators import IndicatorStore
from albatross.db.jobs import JobStore
from albatross.db.policies import PolicyStore
from albatross.db.quotas import QuotaStore
from albatross.db.rollouts import RolloutStore
from albatross.db.trusts import TrustStore
from albatross.db.work_queue import WorkQueue
from albatross.regions.health import HealthProbe
from albatross.regions.registry import RegionRegistry


def _on_database(store_class):
    """A store of the runtime's database, made on first use."""
    return cached_property(lambda rt: store_class(rt.store.db_url))


@dataclass
class Runtime:
    conf: object
    store: JobStore
    registry: RegionRegistry
    health: HealthProbe
    dispatcher: object

    # the database's stores, the service layer's only way to it (docs/decisions/0004)
    work_queue = _on_database(WorkQueue)
    policies = _on_database(PolicyStore)
    image_settings = _on_database(SettingStore)
    addresses = _on_database(AddressStore)
    trusts = _on_database(TrustStore)
    indicators = _on_database(IndicatorStore)
    events = _on_database(EventStore)
    quotas = _on_database(QuotaStore)
    rollouts = _on_database(RolloutStore)

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
