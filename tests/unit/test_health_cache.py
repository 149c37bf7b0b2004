"""Endpoint health: each service's own version document is probed; fresh results are reused, stale ones answered at once and refreshed in
the background, old ones (or fresh=True) wait for a probe."""
import threading
import time
from types import SimpleNamespace

import pytest

from albatross.regions.health import HealthProbe, version_root


class Registry:
    http = SimpleNamespace(requests=None)   # no probe leaves the process here

    def get(self, name):
        return SimpleNamespace(endpoints={"compute": f"http://{name}:8774/v2.1"})


class CountingProbe(HealthProbe):
    def __init__(self, **kw):
        super().__init__(Registry(), **kw)
        self.calls = []
        self.gate = threading.Event()
        self.gate.set()

    def _probe(self, url):
        self.gate.wait(5)
        self.calls.append(url)
        return {"status": "up", "http_status": 200, "latency_ms": 1.0}

    def age(self, name, seconds):
        stamp, entry = self._cache[name]
        self._cache[name] = (stamp - seconds, entry)


def wait_for(predicate, timeout=5.0):
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline
        time.sleep(0.01)


def test_fresh_result_is_reused():
    probe = CountingProbe(cache_seconds=10, stale_seconds=60)
    first = probe.check(["a"])
    assert first["a"]["status"] == "up" and len(probe.calls) == 1
    probe.check(["a"])
    assert len(probe.calls) == 1


def test_stale_result_answers_at_once_and_refreshes_in_the_background():
    probe = CountingProbe(cache_seconds=10, stale_seconds=60)
    probe.check(["a"])
    probe.age("a", 30)
    probe.gate.clear()           # the background probe blocks: the answer must not wait
    t0 = time.monotonic()
    out = probe.check(["a"])
    assert time.monotonic() - t0 < 1 and out["a"]["status"] == "up"
    probe.check(["a"])           # a second stale hit starts no second refresh
    probe.gate.set()
    wait_for(lambda: len(probe.calls) == 2 and not probe._refreshing)
    assert time.monotonic() - probe._cache["a"][0] < 5   # refreshed


def test_too_old_or_fresh_requested_waits_for_a_probe():
    probe = CountingProbe(cache_seconds=10, stale_seconds=60)
    probe.check(["a"])
    probe.age("a", 120)
    probe.check(["a"])
    assert len(probe.calls) == 2
    probe.check(["a"], fresh=True)
    assert len(probe.calls) == 3


def test_stale_window_is_never_shorter_than_the_cache():
    assert CountingProbe(cache_seconds=30, stale_seconds=0).stale_seconds == 30


@pytest.mark.parametrize("endpoint, root", [
    ("http://h:8774/v2.1", "http://h:8774/"),
    ("https://h:8776/v3/0a1b2c", "https://h:8776/"),
    ("http://h:9696", "http://h:9696/"),
    ("http://h:9696/", "http://h:9696/"),
    ("http://h/compute/v2.1", "http://h/compute/"),
    ("http://h/volume/v3/0a1b2c", "http://h/volume/"),
    ("http://h:8990/Sim0007/network", "http://h:8990/Sim0007/network/"),
    ("http://h/image", "http://h/image/"),
    ("http://h/identity/v3", "http://h/identity/"),
    ("http://h/placement?x=1", "http://h/placement/"),
])
def test_a_probe_asks_the_service_itself_not_the_host_in_front_of_it(endpoint, root):
    assert version_root(endpoint) == root
