"""One reconciler per synced resource type, looked up by the task's resource_type."""
from albatross.reconcilers.base import Reconciler
from albatross.reconcilers.keypairs import KeypairReconciler
from albatross.reconcilers.quotas import QuotaReconciler

RECONCILERS: dict[str, Reconciler] = {r.resource_type: r for r in (KeypairReconciler(),
                                                                   QuotaReconciler())}
