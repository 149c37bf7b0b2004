"""Reactive rebalancing: which notifications count (how a burst is gathered:
tests/functional/test_quota_reactions.py)."""
import pytest

from albatross.services.quota_watch import RESOURCE_EVENTS


@pytest.mark.parametrize("event_type", [
    "compute.instance.create.end", "compute.instance.delete.end", "compute_task.build_instances",
    "volume.create.start", "snapshot.delete.end", "network.create.end", "port.delete.end",
    "floatingip.create.end", "security_group.create.end", "security_group_rule.delete.end"])
def test_counted_resources_are_watched(event_type):
    assert RESOURCE_EVENTS.match(event_type)


@pytest.mark.parametrize("event_type", [
    "image.upload", "port.update.end", "identity.project.created", "network.create.start",
    "compute.instance.update", "xnetwork.create.end", "network.create.endx", ""])
def test_other_notifications_are_not(event_type):
    assert not RESOURCE_EVENTS.match(event_type)
