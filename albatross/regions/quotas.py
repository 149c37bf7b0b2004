"""One project's native quotas in one region: limits and usage from Nova, Cinder and Neutron,
and writing limits, through openstacksdk with the service's admin connection.

Albatross names resources by the services' wire keys (`albatross.quota.resources`). Nova's and
Cinder's quota-set attributes in openstacksdk are those same keys; Neutron's Quota resource
renames them (`network` -> `networks`, `floatingip` -> `floating_ips`...), hence `NEUTRON_ATTRS`.
Usage is in-use plus reserved (a reservation is capacity already promised).

key_pairs: Nova counts key pairs per user, and the usage in its quota set is the *caller's* own
count (the service account's), meaningless for the project. We report instead the largest
number of key pairs that any user with a role in the project (Keystone's effective assignments:
direct, through a group, or inherited) owns in this region: the count the per-user limit bites on.
"""
from concurrent.futures import ALL_COMPLETED, FIRST_EXCEPTION, ThreadPoolExecutor, wait
from functools import partial

from openstack import exceptions as sdk_exc

from albatross.quota.resources import RESOURCES, by_service
from albatross.regions.keypairs import list_keypairs

SERVICES = ("compute", "volume", "network")

# Albatross name (Neutron's wire key) -> openstacksdk attribute of network.v2.quota.Quota
NEUTRON_ATTRS = {
    "network": "networks",
    "subnet": "subnets",
    "port": "ports",
    "router": "routers",
    "floatingip": "floating_ips",
    "security_group": "security_groups",
    "security_group_rule": "security_group_rules",
}
_NAMES = {s: [r.name for r in RESOURCES.values() if r.service == s] for s in SERVICES}
if set(_NAMES["network"]) != set(NEUTRON_ATTRS):  # fail at import, not as a "missing" quota
    raise RuntimeError("NEUTRON_ATTRS does not match the network resources in RESOURCES")


# shared, bounded pools (a pool per call made and dropped threads for every region read);
# a per-user key pair count runs in the second, so no call ever waits on its own pool
_CALLS = ThreadPoolExecutor(max_workers=64, thread_name_prefix="quota-call")
_USER_CALLS = ThreadPoolExecutor(max_workers=32, thread_name_prefix="quota-user")


def _concurrently(calls: dict, fail_fast: bool = True, pool=_CALLS) -> dict:
    """{key: fn()} for every call at once. fail_fast (reads): raise the first failure without
    waiting for a slow service, so a dead region is reported quickly. Otherwise (writes):
    let every call finish, so no write is still in flight when the caller reads back."""
    if not calls:
        return {}
    futures = {key: pool.submit(fn) for key, fn in calls.items()}
    done, _ = wait(futures.values(), return_when=FIRST_EXCEPTION if fail_fast else ALL_COMPLETED)
    for fut in futures.values():
        if fut in done and fut.exception() is not None:
            for other in futures.values():
                other.cancel()
            raise fut.exception()
    return {key: fut.result() for key, fut in futures.items()}


def _number(service: str, name: str, value) -> int:
    """A quota value as an int; a resource the service does not report is an error, not 0
    (the caller must not mistake "unknown" for "none used" or "no room")."""
    if value is None:
        raise sdk_exc.SDKException(f"{service} reports no quota for {name!r} in this region")
    return int(value)


# ---- per-service readers: (limits, usage or None) for `names` ------------------------------
def _read_quota_set(proxy, service: str, project_id: str, names, usage: bool):
    """Nova and Cinder: os-quota-sets (with usage, openstacksdk splits each {limit, in_use,
    reserved} into the attribute, `.usage` and `.reservation`)."""
    qs = proxy.get_quota_set(project_id, usage=usage)
    limits = {n: _number(service, n, getattr(qs, n, None)) for n in names}
    if not usage:
        return limits, None
    used = {n: _number(service, n, (qs.usage or {}).get(n))
            + int((qs.reservation or {}).get(n) or 0) for n in names}
    return limits, used


def _read_compute(conn, project_id, names, usage):
    return _read_quota_set(conn.compute, "compute", project_id, names, usage)


def _read_volume(conn, project_id, names, usage):
    return _read_quota_set(conn.block_storage, "volume", project_id, names, usage)


def _read_network(conn, project_id, names, usage):
    """Neutron: /quotas/{id}/details gives {limit, used, reserved} per resource, plain
    /quotas/{id} the limits alone."""
    quota = conn.network.get_quota(project_id, details=usage)
    values = {n: getattr(quota, NEUTRON_ATTRS[n], None) for n in names}
    if not usage:
        return {n: _number("network", n, v) for n, v in values.items()}, None
    limits, used = {}, {}
    for n, v in values.items():
        v = v or {}
        limits[n] = _number("network", n, v.get("limit"))
        used[n] = _number("network", n, v.get("used")) + int(v.get("reserved") or 0)
    return limits, used


_READERS = {"compute": _read_compute, "volume": _read_volume, "network": _read_network}


# ---- key pairs ---------------------------------------------------------------------------
def project_user_ids(conn, project_id: str) -> set[str]:
    """Users with any role on the project; `effective` makes Keystone expand group
    memberships and inherited roles into per-user entries."""
    return {a.user["id"] for a in conn.identity.role_assignments(
        scope_project_id=project_id, effective=True) if a.user}


def _keypair_count(conn, user_id: str) -> int:
    return len(list_keypairs(conn, user_id))   # one call, read as Nova sent it


def key_pairs_in_use(conn, project_id: str, users: set[str] | None = None) -> int:
    """The most key pairs any user of the project has in this region (0 without users).
    `users`: the project's users, when the caller asked Keystone once for every region."""
    if users is None:
        users = project_user_ids(conn, project_id)
    counts = _concurrently({u: partial(_keypair_count, conn, u) for u in users},
                           pool=_USER_CALLS)
    return max(counts.values(), default=0)


# ---- public API --------------------------------------------------------------------------
def read_project_quotas(conn, project_id: str,
                        users: set[str] | None = None) -> tuple[dict[str, int], dict[str, int]]:
    """(limits, usage) for every resource in RESOURCES, in this region. -1 = unlimited.
    The three services (and the key pair count) are asked at once. Raises if a service does
    not answer (the caller reports the region as failed)."""
    calls = {s: partial(_READERS[s], conn, project_id, _NAMES[s], True) for s in SERVICES}
    calls["key_pairs"] = partial(key_pairs_in_use, conn, project_id, users)
    results = _concurrently(calls)
    limits: dict[str, int] = {}
    usage: dict[str, int] = {}
    for s in SERVICES:
        limits.update(results[s][0])
        usage.update(results[s][1])
    usage["key_pairs"] = results["key_pairs"]
    return ({n: limits[n] for n in RESOURCES}, {n: usage[n] for n in RESOURCES})


def _write(conn, service: str, project_id: str, values: dict[str, int]) -> None:
    # No `force`: a limit under current usage is then refused (400) by Nova, by Neutron
    # (2025.1+) and by Cinder, which cannot be forced; but Cinder checks only against a limit
    # the project already has of its own, so under a default limit it accepts anything.
    if service == "compute":
        conn.compute.update_quota_set(project_id, **values)
    elif service == "volume":
        conn.block_storage.update_quota_set(project_id, **values)
    else:
        conn.network.update_quota(project_id, **{NEUTRON_ATTRS[n]: v for n, v in values.items()})


def write_project_limits(conn, project_id: str, limits: dict[str, int]) -> dict[str, int]:
    """Set native limits (only the given resources, grouped per service, one call per service,
    the services at once), then read them back and return the limits AS READ BACK for those
    resources: a region may ignore a write (Nova's unified-limits driver answers 200 and
    changes nothing), and the caller relies on what is really in force.
    Every service's write is attempted; if one fails, the first failure is raised (after the
    others finished) and nothing is read back."""
    groups = by_service({n: int(v) for n, v in limits.items()})  # KeyError: unknown resource
    _concurrently({s: partial(_write, conn, s, project_id, values)
                   for s, values in groups.items()}, fail_fast=False)
    read = _concurrently({s: partial(_READERS[s], conn, project_id, list(values), False)
                          for s, values in groups.items()})
    return {n: read[RESOURCES[n].service][0][n] for n in limits}


def read_all_regions(registry, project_id: str, names: list[str]) -> dict[str, object]:
    """{region: (limits, usage) or the exception} for the named regions, all at once. The
    project's users are asked of each Keystone once, not once per region (thousands of
    calls with the same answer)."""
    clouds = {name: region.cloud for name, region in registry.regions().items()}
    users: dict[str, set[str] | Exception] = {}   # per cloud: each has its own Keystone
    for region in names:
        cloud = clouds[region]
        if cloud not in users:
            try:
                users[cloud] = project_user_ids(registry.connection(region), project_id)
            except Exception as exc:   # every reading there needs them: each fails alike
                users[cloud] = exc

    def read(region):
        known = users[clouds[region]]
        if isinstance(known, Exception):
            raise known
        return read_project_quotas(registry.connection(region), project_id, known)
    return registry.fan_out(read, names)
