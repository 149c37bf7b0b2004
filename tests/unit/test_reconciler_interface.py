"""Every task type has a reconciler with the one required method, and a reconciler that
hands its work on to the read/diff/apply flow (super().reconcile) is a PlannedReconciler
(a plain Reconciler's reconcile is abstract: that call would return nothing)."""
import inspect

from albatross.reconcilers.base import PlannedReconciler, Reconciler
from albatross.reconcilers.registry import RECONCILERS


def test_reconcilers_that_defer_to_the_plan_have_one():
    assert RECONCILERS
    for name, reconciler in RECONCILERS.items():
        assert isinstance(reconciler, Reconciler) and reconciler.resource_type == name
        source = inspect.getsource(type(reconciler).reconcile)
        if "super().reconcile" in source:
            assert isinstance(reconciler, PlannedReconciler), name
