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
import os
import threading
import time

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


class _EnvironmentReadOnce(requests.Session):
    """requests reads proxies, CA bundles and .netrc from the environment on every call it
    makes (a fifth of a call's CPU, scanning the whole environment). Without proxies or a
    .netrc there is nothing to find but the CA bundle, read here once; with them, requests
    looks every time, as it always did."""

    def __init__(self):
        super().__init__()
        env = {k.lower(): v for k, v in os.environ.items()}
        self.trust_env = any(env.get(k) for k in ("http_proxy", "https_proxy", "all_proxy",
                                                  "netrc")) or any(
            os.path.exists(os.path.expanduser(f"~/{f}")) for f in (".netrc", "_netrc"))
        self._ca_bundle = env.get("requests_ca_bundle") or env.get("curl_ca_bundle")

    def merge_environment_settings(self, url, proxies, stream, verify, cert):
        if not self.trust_env and self._ca_bundle and verify in (True, None):
            verify = self._ca_bundle
        return super().merge_environment_settings(url, proxies, stream, verify, cert)


class SharedHttp:
    """`hosts`: the hosts whose idle connections are kept (least recently used out);
    `per_host`: connections kept per host, as many as calls may run at once to it."""

    def __init__(self, hosts: int, per_host: int, discovery_entries: int = 65536):
        self.requests = _EnvironmentReadOnce()
        self.requests.cookies.set_policy(http.cookiejar.DefaultCookiePolicy(allowed_domains=[]))
        adapter = ks_session.TCPKeepAliveAdapter(pool_connections=hosts, pool_maxsize=per_host)
        for scheme in ("https://", "http://"):
            self.requests.mount(scheme, adapter)
        self.discovery = BoundedCache(discovery_entries)

    def session(self, **kwargs) -> ks_session.Session:
        """A keystoneauth session of its own auth over the shared pool and cache (also the
        constructor openstacksdk's CloudRegion is given)."""
        kwargs.update(session=self.requests, discovery_cache=self.discovery)
        if kwargs.get("auth") is not None and hasattr(kwargs["auth"], "get_access"):
            valid_token_without_lock(kwargs["auth"])
        return ks_session.Session(**kwargs)


def valid_token_without_lock(plugin) -> None:
    """keystoneauth's get_access takes the plugin's lock and parses the token's expiry on
    every call, and openstacksdk asks for it several times a call (the token, the project
    of every resource it builds): at a hundred regions' calls at once, threads spent most of
    their time queued on that lock. A token known valid for a while is answered without it;
    renewing one still takes the lock, as keystoneauth does."""
    locked = plugin.get_access
    known: dict = {"ref": None, "until": 0.0}

    def get_access(session, **kwargs):
        ref = plugin.auth_ref
        if ref is not None and ref is known["ref"] and time.time() < known["until"]:
            return ref
        ref = locked(session, **kwargs)
        expires = ref.expires.timestamp() if ref.expires else 0.0
        known["ref"], known["until"] = ref, expires - plugin.MIN_TOKEN_LIFE_SECONDS
        return ref
    plugin.get_access = get_access
