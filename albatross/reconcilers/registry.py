"""The reconciler for each task resource_type. Kept out of the package __init__ so that
importing one reconciler module never imports all of them (no import cycles)."""
from albatross.reconcilers.base import Reconciler
from albatross.reconcilers.keypairs import KeypairReconciler
from albatross.reconcilers.quotas import QuotaReconciler

RECONCILERS: dict[str, Reconciler] = {r.resource_type: r for r in (KeypairReconciler(),
                                                                   QuotaReconciler())}
