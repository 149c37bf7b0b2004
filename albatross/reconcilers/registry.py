"""The reconciler for each task resource_type. Kept out of the package __init__ so that
importing one reconciler module never imports all of them (no import cycles)."""
from albatross.reconcilers.base import Reconciler
from albatross.reconcilers.flavors import FlavorReconciler
from albatross.reconcilers.image_rollback import ImageRollbackReconciler
from albatross.reconcilers.images import ImageReconciler
from albatross.reconcilers.keypair_sets import KeypairSetReconciler
from albatross.reconcilers.keypairs import KeypairReconciler
from albatross.reconcilers.quotas import QuotaReconciler
from albatross.reconcilers.secgroups import SecurityGroupReconciler

RECONCILERS: dict[str, Reconciler] = {r.resource_type: r for r in (
    KeypairReconciler(), KeypairSetReconciler(), FlavorReconciler(), QuotaReconciler(),
    SecurityGroupReconciler(), ImageReconciler(), ImageRollbackReconciler())}
