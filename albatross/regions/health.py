"""Health of every endpoint of every region: an unauthenticated GET of the endpoint's root
(its version document), all probes at once, cached briefly so a busy page costs nothing."""
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import requests

from albatross.regions.registry import RegionRegistry


def _root(url: str) -> str:
    """http://h:8774/v2.1 -> http://h:8774/ (version documents need no token)."""
    scheme, _, rest = url.partition("://")
    return f"{scheme}://{rest.split('/', 1)[0]}/"


def summarize(services: dict[str, dict]) -> str:
    ups = sum(1 for s in services.values() if s["status"] == "up")
    if ups == len(services):
        return "up"
    return "down" if ups == 0 else "degraded"


class HealthProbe:
    def __init__(self, registry: RegionRegistry, timeout: float = 3.0,
                 cache_seconds: float = 10.0):
        self.registry = registry
        self.timeout = timeout
        self.cache_seconds = cache_seconds
        self._cache: dict[str, tuple[float, dict]] = {}
        self._lock = threading.Lock()
        self._pool = ThreadPoolExecutor(max_workers=32, thread_name_prefix="health")

    def _probe(self, url: str) -> dict:
        t0 = time.monotonic()
        try:
            resp = requests.get(_root(url), timeout=self.timeout)
            out = {"status": "up" if resp.status_code < 500 else "down",
                   "http_status": resp.status_code}
        except requests.RequestException as exc:
            out = {"status": "down", "error": f"{type(exc).__name__}: unreachable"}
        out["latency_ms"] = round((time.monotonic() - t0) * 1000, 1)
        return out

    def check(self, names: list[str]) -> dict[str, dict]:
        """{region: {"status": up|degraded|down, "services": {type: {...}}}}"""
        now = time.monotonic()
        out: dict[str, dict] = {}
        todo = []
        with self._lock:
            for n in names:
                hit = self._cache.get(n)
                if hit and now - hit[0] < self.cache_seconds:
                    out[n] = hit[1]
                else:
                    todo.append(n)
        futures = {}
        for n in todo:
            for stype, url in self.registry.get(n).endpoints.items():
                futures[(n, stype)] = (url, self._pool.submit(self._probe, url))
        fresh: dict[str, dict] = {n: {} for n in todo}
        for (n, stype), (url, fut) in futures.items():
            fresh[n][stype] = {"url": url, **fut.result()}
        with self._lock:
            for n, services in fresh.items():
                entry = {"status": summarize(services), "services": services}
                self._cache[n] = (time.monotonic(), entry)
                out[n] = entry
        return {n: out[n] for n in names}
