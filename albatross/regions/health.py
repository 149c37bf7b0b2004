"""Health of every endpoint of every region: an unauthenticated GET of the service's version
document, all probes at once, cached briefly so a busy page costs nothing."""
import re
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit, urlunsplit

import requests

from albatross.regions.registry import RegionRegistry


_VERSION = re.compile(r"^v\d+(\.\d+)?$")


def version_root(url: str) -> str:
    """Where the service answers its version document (no token needed): the endpoint
    without its version and what follows. http://h:8774/v2.1 -> http://h:8774/, and
    behind a path prefix (devstack, a proxy, many regions on one host)
    http://h/compute/v2.1 -> http://h/compute/, http://h/volume/v3/PROJECT ->
    http://h/volume/, http://h/network -> http://h/network/. The host's root would be the
    proxy's, or another region's, not this service's."""
    parts = urlsplit(url)
    kept = []
    for segment in parts.path.split("/"):
        if _VERSION.match(segment):
            break
        kept.append(segment)
    path = "/".join(kept).rstrip("/") + "/"
    return urlunsplit((parts.scheme, parts.netloc, path, "", ""))


def summarize(services: dict[str, dict]) -> str:
    ups = sum(1 for s in services.values() if s["status"] == "up")
    if ups == len(services):
        return "up"
    return "down" if ups == 0 else "degraded"


class HealthProbe:
    """Probes with keep-alive connections. Within `cache_seconds` a result is reused; up to
    `stale_seconds` an older one is answered at once while the region is probed again in the
    background (a page showing health never waits for a probe in steady state); older than
    that, or when the caller wants a fresh look (`fresh=True`: the indicator rounds), the
    caller waits for the probes."""

    def __init__(self, registry: RegionRegistry, timeout: float = 3.0,
                 cache_seconds: float = 10.0, stale_seconds: float = 0.0):
        self.registry = registry
        self.timeout = timeout
        self.cache_seconds = cache_seconds
        self.stale_seconds = max(stale_seconds, cache_seconds)
        self._cache: dict[str, tuple[float, dict]] = {}
        self._lock = threading.Lock()
        self._pool = ThreadPoolExecutor(max_workers=32, thread_name_prefix="health")
        self._background = ThreadPoolExecutor(max_workers=2, thread_name_prefix="health-bg")
        self._refreshing: set[str] = set()
        self._http = registry.http.requests   # the regions' shared pool (regions/http.py)

    def _probe(self, url: str) -> dict:
        t0 = time.monotonic()
        try:
            resp = self._http.get(version_root(url), timeout=self.timeout)
            out = {"status": "up" if resp.status_code < 500 else "down",
                   "http_status": resp.status_code}
        except requests.RequestException as exc:
            out = {"status": "down", "error": f"{type(exc).__name__}: unreachable"}
        out["latency_ms"] = round((time.monotonic() - t0) * 1000, 1)
        return out

    def _probe_regions(self, names: list[str]) -> dict[str, dict]:
        futures = {}
        for n in names:
            for stype, url in self.registry.get(n).endpoints.items():
                futures[(n, stype)] = (url, self._pool.submit(self._probe, url))
        fresh: dict[str, dict] = {n: {} for n in names}
        for (n, stype), (url, fut) in futures.items():
            fresh[n][stype] = {"url": url, **fut.result()}
        out = {}
        with self._lock:
            for n, services in fresh.items():
                out[n] = {"status": summarize(services), "services": services}
                self._cache[n] = (time.monotonic(), out[n])
        return out

    def _refresh_later(self, names: list[str]) -> None:
        with self._lock:
            names = [n for n in names if n not in self._refreshing]
            self._refreshing.update(names)
        if not names:
            return

        def run():
            try:
                self._probe_regions(names)
            finally:
                with self._lock:
                    self._refreshing.difference_update(names)
        self._background.submit(run)

    def check(self, names: list[str], fresh: bool = False) -> dict[str, dict]:
        """{region: {"status": up|degraded|down, "services": {type: {...}}}}"""
        now = time.monotonic()
        out: dict[str, dict] = {}
        todo, stale = [], []
        with self._lock:
            for n in names:
                hit = self._cache.get(n)
                age = now - hit[0] if hit else None
                if hit and age < self.cache_seconds and not fresh:
                    out[n] = hit[1]
                elif hit and age < self.stale_seconds and not fresh:
                    out[n] = hit[1]
                    stale.append(n)
                else:
                    todo.append(n)
        if stale:
            self._refresh_later(stale)
        if todo:
            out.update(self._probe_regions(todo))
        return {n: out[n] for n in names}
