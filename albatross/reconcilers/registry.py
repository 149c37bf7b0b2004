"""The reconciler for each task resource_type. Kept out of the package __init__ so that
importing one reconciler module never imports all of them (no import cycles)."""
from albatross.reconcilers.base import Controller, Reconciler
from albatross.reconcilers.flavors import FlavorReconciler
from albatross.reconcilers.image_rollback import ImageRollbackReconciler
from albatross.reconcilers.indicator_collection import IndicatorCollection
from albatross.reconcilers.quota_periodic import PeriodicQuotaRebalance
from albatross.reconcilers.images import ImageReconciler
from albatross.reconcilers.keypair_sets import KeypairSetReconciler
from albatross.reconcilers.keypairs import KeypairReconciler
from albatross.reconcilers.quotas import QuotaReconciler
from albatross.reconcilers.secgroups import SecurityGroupReconciler

RECONCILERS: dict[str, Reconciler] = {r.resource_type: r for r in (
    KeypairReconciler(), KeypairSetReconciler(), FlavorReconciler(), QuotaReconciler(),
    SecurityGroupReconciler(), ImageReconciler(), ImageRollbackReconciler())}

# background work keyed by its object, run from the work queue (db/work_queue.py)
CONTROLLERS: dict[str, Controller] = {c.kind: c for c in (
    IndicatorCollection(), PeriodicQuotaRebalance())}
