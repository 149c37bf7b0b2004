"""Region discovery and connections.

Two shapes of deployment:
- one shared Keystone whose catalog lists many regions ([regions] cloud): one keystoneauth
  session (one service token) is shared by one openstacksdk Connection per region;
- separate clouds, each its own Keystone ([regions] clouds): one session per cloud, and the
  region is known by the cloud's name.
Connections are made once and reused; every call to several regions runs concurrently.
Calls made for a job or an API request send its request id (request_ids.py)."""
import collections
import contextvars
import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import openstack
import openstack.config
from openstack import connection as sdk_connection

from albatross import request_ids
from albatross.regions.delegation import (ActingRegions, Authority, DelegationLost,
                                          UserSessions, user_connection)
from albatross.regions.http import SharedHttp
from albatross.regions.traced import TracedConnection, traced_copy

LOG = logging.getLogger(__name__)

# service types that are not "a region's cloud": Albatross itself and identity
_NOT_REGIONAL = {"identity", "multi-region", "synchronization"}


class UnknownRegion(LookupError):
    def __init__(self, name: str, known: list[str]):
        super().__init__(f"unknown region {name!r}; known regions: {', '.join(known) or 'none'}")
        self.name = name
        self.known = known


class RequestRegions:
    """The registry as one job sees it: the same regions and pool; its connections send the
    job's request id (also from fan_out's threads, where no request scope is set)."""

    def __init__(self, registry: "RegionRegistry", request_id: str):
        self._registry, self.request_id = registry, request_id

    def connection(self, name: str, request_id: str | None = None):
        return self._registry.connection(name, request_id=request_id or self.request_id)

    def __getattr__(self, attr):
        return getattr(self._registry, attr)


@dataclass
class Region:
    name: str
    cloud: str
    region_name: str | None
    endpoints: dict[str, str] = field(default_factory=dict)
    keystone: str = ""


def endpoint_overrides(region: Region, projects: tuple[str, str] | None = None) -> dict[str, str]:
    """openstacksdk's `<service type>_endpoint_override` for every endpoint of the region's
    catalog entry (and Keystone): without them keystoneauth finds the endpoint of each call
    by normalizing, a deep copy, the whole catalog, twice per call (9 ms of CPU per call at
    100 regions, growing with every region); users' tokens then need no catalog at all.
    `projects`: (the service's project, the connection's) for a connection scoped to another
    project: Cinder's URL names the project."""
    urls = dict(region.endpoints)
    if region.keystone:
        urls.setdefault("identity", region.keystone)
    if projects and projects[0] != projects[1]:
        ours, theirs = (f"/{p}" for p in projects)
        urls = {t: u.replace(ours, theirs) if u.endswith(ours) or f"{ours}/" in u else u
                for t, u in urls.items()}
    return {f"{stype.replace('-', '_')}_endpoint_override": url for stype, url in urls.items()}


class RegionRegistry:
    TRACED_CONNECTIONS = 128  # (region, request id) copies kept for reuse, least recent out
    HOSTS_KEPT = 1024  # endpoints' hosts whose idle connections the shared pool keeps

    def __init__(self, *, cloud: str | None = "albatross", clouds: list[str] | None = None,
                 only: list[str] | None = None, clouds_yaml: str | None = None,
                 max_parallel: int = 16, refresh_seconds: float = 300.0):
        self._cloud = cloud
        self._clouds = list(clouds or [])
        self._only = set(only or [])
        self._config = openstack.config.OpenStackConfig(
            config_files=[clouds_yaml] if clouds_yaml else None)
        self._lock = threading.Lock()
        self._regions: dict[str, Region] | None = None
        self._discovered_at = 0.0
        self._refresh_seconds = refresh_seconds
        self._sessions: dict[str, object] = {}
        self._connections: dict[str, sdk_connection.Connection] = {}
        self._traced: collections.OrderedDict[tuple[str, str], sdk_connection.Connection] = \
            collections.OrderedDict()
        self._user_sessions: UserSessions | None = None
        self._acting: collections.OrderedDict[tuple[str, str], sdk_connection.Connection] = \
            collections.OrderedDict()
        self.pool = ThreadPoolExecutor(max_workers=max_parallel, thread_name_prefix="region")
        # the fan-out's threads and a few API and worker threads may call one host at once
        self.http = SharedHttp(self.HOSTS_KEPT, max_parallel + 16)

    @classmethod
    def from_conf(cls, conf) -> "RegionRegistry":
        r = conf.regions
        return cls(cloud=r.cloud, clouds=r.clouds, only=r.only, clouds_yaml=r.clouds_yaml,
                   max_parallel=r.max_parallel, refresh_seconds=r.catalog_refresh_seconds)

    # ---- discovery ---------------------------------------------------------------------
    def _session(self, cloud: str, region_name: str | None = None):
        if cloud not in self._sessions:
            cloud_region = self._config.get_one(cloud=cloud, region_name=region_name)
            cloud_region.set_session_constructor(self.http.session)
            self._sessions[cloud] = cloud_region.get_session()
        return self._sessions[cloud]

    @staticmethod
    def _catalog_endpoints(session) -> tuple[dict[str, dict[str, str]], str]:
        access = session.auth.get_access(session)
        by_region: dict[str, dict[str, str]] = {}
        keystone = ""
        for service in access.service_catalog.catalog:
            stype = service.get("type")
            for ep in service.get("endpoints", []):
                if ep.get("interface") != "public":
                    continue
                if stype == "identity":
                    keystone = keystone or ep["url"]
                if stype in _NOT_REGIONAL:
                    continue
                region = ep.get("region_id") or ep.get("region")
                by_region.setdefault(region, {})[stype] = ep["url"]
        return by_region, keystone

    def _discover(self) -> dict[str, Region]:
        regions: dict[str, Region] = {}
        if self._clouds:
            for cloud in self._clouds:
                cloud_region = self._config.get_one(cloud=cloud)
                session = self._session(cloud)
                by_region, keystone = self._catalog_endpoints(session)
                rname = cloud_region.region_name or next(iter(by_region), None)
                regions[cloud] = Region(cloud, cloud, rname, by_region.get(rname, {}), keystone)
        else:
            session = self._session(self._cloud)
            by_region, keystone = self._catalog_endpoints(session)
            for rname in sorted(by_region):
                if self._only and rname not in self._only:
                    continue
                regions[rname] = Region(rname, self._cloud, rname, by_region[rname], keystone)
        LOG.info("regions: %s", ", ".join(regions) or "none")
        return regions

    def regions(self, refresh: bool = False) -> dict[str, Region]:
        """The regions, re-read from the catalog every `refresh_seconds` (a region added to
        Keystone appears without a restart). If a re-read fails, the last known list stays."""
        with self._lock:
            stale = time.monotonic() - self._discovered_at > self._refresh_seconds
            if self._regions is None or refresh or stale:
                try:
                    self._regions = self._discover()
                    self._discovered_at = time.monotonic()
                except Exception as exc:
                    if self._regions is None:
                        raise
                    LOG.warning("catalog re-read failed (%s); keeping the last region list",
                                type(exc).__name__)
                    self._discovered_at = time.monotonic()
            return self._regions

    def names(self) -> list[str]:
        return list(self.regions())

    def get(self, name: str) -> Region:
        regions = self.regions()
        if name not in regions:
            raise UnknownRegion(name, list(regions))
        return regions[name]

    def connection(self, name: str, request_id: str | None = None) -> sdk_connection.Connection:
        """The region's reusable openstacksdk connection (service credentials). With a request
        id (given, else the current API request's: request_ids.scope), a copy that sends it as
        the global request id, kept for reuse per (region, request id)."""
        region = self.get(name)
        request_id = request_ids.valid(request_id or request_ids.current())
        with self._lock:
            conn = self._connections.get(name)
            if conn is None:
                conn = TracedConnection(session=self._session(region.cloud),
                                        region_name=region.region_name, app_name="albatross",
                                        **endpoint_overrides(region))
                self._connections[name] = conn
            if request_id is None or request_id == request_ids.current():
                return conn   # it sends the context's id itself
            key = (name, request_id)
            traced = self._traced.get(key)
            if traced is None:
                traced = self._traced[key] = traced_copy(conn, request_id,
                                                         endpoint_overrides(region))
                while len(self._traced) > self.TRACED_CONNECTIONS:
                    self._traced.popitem(last=False)  # still usable by whoever holds it
            else:
                self._traced.move_to_end(key)
            return traced

    # ---- acting for a user ----------------------------------------------------------------
    def _primary_cloud(self) -> str:
        return self._clouds[0] if self._clouds else self._cloud

    def user_sessions(self) -> UserSessions:
        """Sessions that carry users' authority, against the primary cloud's Keystone (the
        one that issued the API's tokens and holds the trusts)."""
        with self._lock:
            if self._user_sessions is None:
                cloud_region = self._config.get_one(cloud=self._primary_cloud())
                self._user_sessions = UserSessions(dict(cloud_region.config["auth"]),
                                                   self.http, verify=cloud_region.verify)
            return self._user_sessions

    def acting_connection(self, name: str, authority: Authority,
                          request_id: str | None = None) -> sdk_connection.Connection:
        """A connection to region `name` with `authority`: the user's own token or trust."""
        region = self.get(name)
        if region.cloud != self._primary_cloud():
            raise DelegationLost(
                f"{name} is a separate cloud with its own Keystone: a user's token or trust "
                "of the primary cloud is not valid there, and Albatross does not write into a "
                "tenant's project with its service account")
        session = self.user_sessions().session(authority)
        overrides = endpoint_overrides(region, (self.service_project_id(),
                                                authority.project_id))
        key = (authority.key, name)
        with self._lock:
            conn = self._acting.get(key)
            if conn is None or conn.session is not session:
                conn = self._acting[key] = user_connection(session, region.region_name,
                                                           overrides)
                while len(self._acting) > self.TRACED_CONNECTIONS:
                    self._acting.popitem(last=False)
            else:
                self._acting.move_to_end(key)
        request_id = request_ids.valid(request_id or request_ids.current())
        if request_id is None or request_id == request_ids.current():
            return conn   # it sends the context's id itself
        return traced_copy(conn, request_id, overrides)

    def acting_for(self, authority: Authority, request_id: str | None = None) -> ActingRegions:
        """This registry as `authority` sees it (for a request, or a job's trust)."""
        return ActingRegions(self, authority, request_ids.valid(request_id))

    def create_trust(self, authority: Authority, roles, expires_at=None) -> str:
        """A trust from the user of `authority` (a token) to Albatross's service user on
        the token's project: the user's `roles`, impersonation, no redelegation."""
        keystone = self.get(self.names()[0]).keystone   # the user's token has no catalog
        conn = user_connection(self.user_sessions().session(authority), None,
                               {"identity_endpoint_override": keystone} if keystone else None)
        trust = conn.identity.create_trust(
            trustor_user_id=authority.user_id, trustee_user_id=self.service_user_id(),
            project_id=authority.project_id, impersonation=True,
            roles=[{"name": r} for r in roles],
            expires_at=expires_at.strftime("%Y-%m-%dT%H:%M:%S.%fZ") if expires_at else None)
        return trust.id

    def delete_trust(self, trust_id: str) -> None:
        """Gone already (expired, deleted by its user) is fine."""
        self.connection(self.names()[0]).identity.delete_trust(trust_id, ignore_missing=True)
        if self._user_sessions is not None:
            self._user_sessions.forget_trust(trust_id)

    def token_valid(self, token: str) -> bool:
        """Keystone's word on a user's token now (a long stream asks again)."""
        return self.connection(self.names()[0]).identity.check_token(token)

    def service_user_id(self) -> str:
        region = self.get(self.names()[0])
        return self._session(region.cloud).get_user_id()

    def for_request(self, request_id: str | None):
        """This registry for a job: its connections send `request_id` (None: as is)."""
        return RequestRegions(self, request_id) if request_ids.valid(request_id) else self

    def project_ids(self) -> list[str]:
        """Every enabled project of the (first) Keystone: quotas apply to all of them."""
        conn = self.connection(self.names()[0])
        return [p.id for p in conn.identity.projects(is_enabled=True)]

    def service_project_id(self) -> str:
        region = self.get(self.names()[0])
        return self._session(region.cloud).get_project_id()

    def fan_out(self, fn, names) -> dict[str, object]:
        """fn(name) for every region at once; the value is the result or the exception."""
        # each call in the context of the caller (its request id), one copy each: a context
        # cannot run in two threads at once
        futures = {n: self.pool.submit(contextvars.copy_context().run, fn, n) for n in names}
        out: dict[str, object] = {}
        for n, fut in futures.items():
            try:
                out[n] = fut.result()
            except Exception as exc:  # one region's failure must not hide the others
                out[n] = exc
        return out
