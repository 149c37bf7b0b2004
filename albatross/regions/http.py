"""One HTTP connection pool and one version-discovery cache for every call Albatross makes to
the regions, whoever's authority it carries (docs/scale.md).

keystoneauth gives each session its own requests.Session: a pool of 10 hosts with 10
connections each, and its own discovery cache. With hundreds of regions the service
session's pool kept 10 hosts and reconnected to the others on every call, 16 fan-out threads
to one host overflowed its 10 ("Connection pool is full, discarding connection"), and every
job's trust session connected to, and rediscovered the API versions of, every region anew.
Version documents are public and the same for everyone, and a pooled connection carries no
authority (each request brings its own token), so both are shared; cookies are never kept."""
import http.cookiejar
import threading

import requests
from keystoneauth1 import session as ks_session


class BoundedCache(dict):
    """keystoneauth's discovery cache (it only gets and sets), at most `size` entries, the
    oldest out first: a Cinder endpoint carries the project id, so entries grow with the
    projects that ever ran a job in each region."""

    def __init__(self, size: int):
        super().__init__()
        self.size = size
        self._lock = threading.Lock()

    def __setitem__(self, key, value):
        with self._lock:
            super().__setitem__(key, value)
            while len(self) > self.size:
                del self[next(iter(self))]


class SharedHttp:
    """`hosts`: the hosts whose idle connections are kept (least recently used out);
    `per_host`: connections kept per host, as many as calls may run at once to it."""

    def __init__(self, hosts: int, per_host: int, discovery_entries: int = 65536):
        self.requests = requests.Session()
        self.requests.cookies.set_policy(http.cookiejar.DefaultCookiePolicy(allowed_domains=[]))
        adapter = ks_session.TCPKeepAliveAdapter(pool_connections=hosts, pool_maxsize=per_host)
        for scheme in ("https://", "http://"):
            self.requests.mount(scheme, adapter)
        self.discovery = BoundedCache(discovery_entries)

    def session(self, **kwargs) -> ks_session.Session:
        """A keystoneauth session of its own auth over the shared pool and cache (also the
        constructor openstacksdk's CloudRegion is given)."""
        kwargs.update(session=self.requests, discovery_cache=self.discovery)
        return ks_session.Session(**kwargs)
