"""One reconciler per synced resource type (registry.py maps resource_type to it)."""
