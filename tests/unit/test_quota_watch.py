"""Reactive rebalancing: which notifications count, and how a burst is gathered (no I/O)."""
import threading
import types

import pytest

from albatross.services.quota_watch import RESOURCE_EVENTS, QuotaWatch


class RecordingWatch(QuotaWatch):
    def __init__(self, delay=0.05, max_pending=3):
        opts = types.SimpleNamespace(near_percent=80, react_min_interval=delay,
                                     react_max_pending=max_pending, policy="strict")
        super().__init__(types.SimpleNamespace(conf=types.SimpleNamespace(quota=opts)))
        self.looked, self.seen = [], threading.Event()

    def look_at(self, project, regions):
        self.looked.append((project, regions))
        self.seen.set()


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


def test_a_burst_of_one_project_is_looked_at_once_with_every_region():
    watch = RecordingWatch().start()
    try:
        for region in ("R1", "R2", "R1", "R2", "R1"):
            assert watch.notify(region, "network.create.end", "p1")
        assert not watch.notify("R1", "network.create.end", None)
        assert not watch.notify("R1", "image.upload", "p1")
        assert watch.seen.wait(5)
        watch.stop()
        assert watch.looked == [("p1", ["R1", "R2"])]
    finally:
        watch.stop()


def test_pending_projects_are_bounded():
    watch = RecordingWatch(delay=60, max_pending=3)   # never due during the test
    assert all(watch.notify("R1", "port.create.end", f"p{i}") for i in range(3))
    assert not watch.notify("R1", "port.create.end", "p3")   # left to the periodic pass
    assert watch.notify("R2", "port.create.end", "p0")       # a waiting one still gathers
    assert len(watch._pending) == 3 and watch._pending["p0"][1] == {"R1", "R2"}
