"""One reconciler per synced resource type, looked up by the task's resource_type."""
from albatross.reconcilers.base import Reconciler
from albatross.reconcilers.keypairs import KeypairReconciler

RECONCILERS: dict[str, Reconciler] = {r.resource_type: r for r in (KeypairReconciler(),)}
