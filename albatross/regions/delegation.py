"""Region connections that carry a user's own authority, so each region's policy decides.

Writes into a tenant's project never use Albatross's admin account (docs/security.md):
- inside an API request, the request's own token (`Authority.token`);
- for work that outlives the token (jobs, policies, rollouts), a Keystone trust the user made
  at request time: Albatross's service user authenticates with its own password plus the
  trust id and gets a token of the user (impersonation) scoped to the trust's project.

A session per authority serves every region of the shared Keystone and is cached (bounded,
least recently used out), so a job's tasks pay for one token, not one per call. A trust that
no longer works (deleted, role revoked, user removed) raises DelegationLost: never a fallback
to the service account."""
import collections
import hashlib
import threading
from dataclasses import dataclass, field

from keystoneauth1 import exceptions as ks_exc
from keystoneauth1 import session as ks_session
from keystoneauth1.identity import v3
from openstack import connection as sdk_connection

from albatross.regions.traced import TracedConnection


class DelegationLost(Exception):
    """The user's delegated authority no longer works: the work stops, nothing more is
    written, and no other credential is tried."""


@dataclass(frozen=True)
class Authority:
    """Whose authority region calls carry: a user's token, or a trust the user made."""
    user_id: str
    project_id: str
    token: str | None = field(default=None, repr=False)
    trust_id: str | None = None

    def __post_init__(self):
        if bool(self.token) == bool(self.trust_id):
            raise ValueError("an authority is a token or a trust, exactly one")

    @property
    def key(self) -> str:
        """Cache key: a hash, so no token sits in a dict's keys for a debugger to print."""
        secret = self.token or f"trust:{self.trust_id}"
        return hashlib.sha256(secret.encode()).hexdigest()

    def describe(self) -> str:
        how = f"trust {self.trust_id}" if self.trust_id else "the request's token"
        return f"user {self.user_id} on project {self.project_id} ({how})"


def lost_message(authority: Authority, exc: Exception) -> str:
    status = getattr(exc, "http_status", None) or getattr(exc, "status_code", None) or ""
    return (f"acting for {authority.describe()} was refused by Keystone ({status or 'error'}"
            f"{': ' + type(exc).__name__ if not status else ''}): the trust was deleted, a "
            "delegated role was revoked or the user left the project. Nothing more is written; "
            "a member of the project may retry, which delegates again")


class UserSessions:
    """keystoneauth sessions per authority, bounded; each re-authenticates on expiry."""

    def __init__(self, service_auth: dict, http, verify=True, size: int = 256):
        self._service_auth = service_auth  # the service user's clouds.yaml auth section
        self._http = http   # regions/http.py SharedHttp: the pool and discovery cache
        self._verify = verify
        self._size = size
        self._lock = threading.Lock()
        self._sessions: collections.OrderedDict[str, ks_session.Session] = \
            collections.OrderedDict()

    def _auth(self, authority: Authority):
        a = self._service_auth
        # no catalog in these tokens: every region's connection names its endpoints
        # (registry.endpoint_overrides), and a catalog of thousands of regions is megabytes
        if authority.token:
            return v3.Token(auth_url=a["auth_url"], token=authority.token,
                            project_id=authority.project_id, include_catalog=False)
        if not a.get("password"):
            raise DelegationLost("the service account authenticates without a password "
                                 "(an application credential?): Keystone accepts trusts only "
                                 "with a user's password; see docs/security.md")
        names = {k: a[k] for k in ("username", "user_id", "user_domain_name",
                                   "user_domain_id") if a.get(k)}
        return v3.Password(auth_url=a["auth_url"], password=a["password"],
                           trust_id=authority.trust_id, include_catalog=False, **names)

    def session(self, authority: Authority) -> ks_session.Session:
        """The authority's session, authenticated: a refused trust or token raises here,
        before any region is called."""
        with self._lock:
            sess = self._sessions.get(authority.key)
            if sess is not None:
                self._sessions.move_to_end(authority.key)
                return sess
        sess = self._http.session(auth=self._auth(authority), verify=self._verify,
                                  app_name="albatross")
        try:
            sess.get_token()
        except (ks_exc.Unauthorized, ks_exc.Forbidden, ks_exc.NotFound) as exc:
            raise DelegationLost(lost_message(authority, exc)) from None
        with self._lock:
            self._sessions[authority.key] = sess
            while len(self._sessions) > self._size:
                self._sessions.popitem(last=False)
        return sess

    def forget_trust(self, trust_id: str) -> None:
        key = Authority("", "", trust_id=trust_id).key
        with self._lock:
            self._sessions.pop(key, None)


def user_connection(session, region_name: str | None,
                    overrides: dict | None = None) -> sdk_connection.Connection:
    """A connection over a shared session; it must not close the session when collected
    (openstacksdk's finalizer would), the cache owns it. `overrides`: the region's endpoints
    (registry.endpoint_overrides)."""
    conn = TracedConnection(session=session, region_name=region_name, app_name="albatross",
                            **(overrides or {}))
    finalizer = getattr(conn, "_finalizer", None)
    if finalizer is not None:
        finalizer.detach()
    return conn


class ActingRegions:
    """The registry as a user sees it: the same regions, names and pool; every connection
    carries the user's authority (and the job's request id). Reconcilers take it where they
    took the registry, so no reconciler knows which credential it holds."""

    def __init__(self, registry, authority: Authority, request_id: str | None = None):
        self._registry, self.authority, self.request_id = registry, authority, request_id

    def connection(self, name: str, request_id: str | None = None):
        return self._registry.acting_connection(name, self.authority,
                                                request_id or self.request_id)

    def service_connection(self, name: str, request_id: str | None = None):
        """Albatross's own account: only for admin-only reads (never a tenant write)."""
        return self._registry.connection(name, request_id=request_id or self.request_id)

    def __getattr__(self, attr):
        return getattr(self._registry, attr)
