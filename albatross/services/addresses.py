"""The global address view of a project: the inventory kept current from every region's
Neutron, searches, conflicts, usage, and CIDR allocation from the project's address plan."""
import csv
import dataclasses
import datetime
import io
import ipaddress
import logging


from albatross.addresses import allocator, conflicts
from albatross.addresses.ip import parse_cidr
from albatross.db import locks
from albatross.db.addresses import AddressStore
from albatross.db.models import utcnow
from albatross.exceptions import (BadRequest, Conflict, Forbidden, NotFound,
                                  TooManyRequests, UpstreamUnavailable)
from albatross.regions import addresses as neutron
from albatross.regions.errors import reason
from albatross.services import delegation
from albatross.services import regions as region_service
from albatross.services.caller import Caller
from albatross.services.runtime import Runtime
from albatross.regions import errors as region_errors
from albatross.timestamps import iso

LOG = logging.getLogger(__name__)
KINDS = ("subnet", "port", "floating_ip", "router_gateway")
# one allocation per project at a time, across servers: the lease (renewed while held) and
# how long a second request waits for it before a 503
ALLOCATION_LEASE, ALLOCATION_WAIT = 120.0, 30.0


def refresh(rt: Runtime, project_id: str, *, incremental: bool = False,
            read: dict | None = None) -> dict[str, str]:
    """Read the project's objects from every region at once and store them; returns
    region -> "ok" or why it failed (a failed region keeps its last rows and their seen_at).
    `read`, if given, gets each answering region's inventory as read (what this call saw,
    whatever other refreshes store meanwhile).
    Incremental reads only what changed since the last read (Neutron's changed_since) and
    cannot see deletions: a full read every [addresses] full_refresh_every reads does."""
    store = rt.addresses
    last = {r.region: r for r in store.refreshes(project_id)}
    names = region_service.region_names(rt)

    def read_region(region):
        conn = rt.registry.connection(region)
        state = last.get(region)
        since = state.incremental_at if (incremental and state and state.full_at) else None
        if since is None:
            return True, neutron.read_inventory(conn, region, project_id)
        stamp = (since - datetime.timedelta(seconds=5)).isoformat(timespec="seconds")
        return False, neutron.read_inventory(conn, region, project_id, stamp)

    out = {}
    for region, result in rt.registry.fan_out(read_region, names).items():
        if isinstance(result, Exception):
            message = reason(result)
            store.failed(project_id, region, message)
            out[region] = message
        else:
            full, inventory = result
            store.replace(project_id, region, inventory, full=full)
            out[region] = "ok"
            if read is not None:
                read[region] = inventory
    return out


def _age(store: AddressStore, project_id: str) -> tuple[list, float | None]:
    """(refresh states, seconds since the oldest region's last read; None: never read)."""
    states = store.refreshes(project_id)
    oldest = min((s.incremental_at for s in states if s.incremental_at), default=None)
    return states, (utcnow() - oldest).total_seconds() if oldest else None


def _current(rt: Runtime, project_id: str, max_age: float | None) -> dict[str, list]:
    """The stored inventory, refreshed first when it is older than `max_age` seconds (never
    more often than [addresses] min_read_interval: a client asking max_age=0 in a loop must
    not turn into a full read of every region's Neutron each time)."""
    store = rt.addresses
    if max_age is not None:
        max_age = max(max_age, rt.conf.addresses.min_read_interval)
        states, age = _age(store, project_id)
        if age is None or age > max_age:
            refresh(rt, project_id, incremental=bool(states))
    return store.load(project_id)


def refresh_on_request(rt: Runtime, project_id: str) -> dict[str, str]:
    """POST .../refresh: a read of every region now, unless one was made less than
    [addresses] min_read_interval ago (429, saying when to ask again)."""
    _states, age = _age(rt.addresses, project_id)
    wait = rt.conf.addresses.min_read_interval
    if age is not None and age < wait:
        raise TooManyRequests(f"the project's addresses were read {age:.0f}s ago; read again "
                              f"in {wait - age:.0f}s", field="project_id")
    return refresh(rt, project_id)


def rows(inventory: dict[str, list]) -> list[dict]:
    """One row per address (a port with two fixed IPs is two rows), for tables and CSV.
    `name` is the object's (subnet, port or router name, a floating IP's description),
    `network_name` the network's when the project owns it ("" when unknown)."""
    out = []
    for subnet, seen in inventory["subnet"]:
        out.append({"kind": "subnet", "region": subnet.region, "network_id": subnet.network_id,
                    "object_id": subnet.subnet_id, "address": subnet.cidr,
                    "ip_version": subnet.ip_version, "mac": None, "device_owner": None,
                    "device_id": None, "seen_at": iso(seen), "name": subnet.name,
                    "network_name": subnet.network_name})
    for port, seen in inventory["port"]:
        for subnet_id, ip in port.fixed_ips or (("", None),):
            out.append({"kind": "fixed_ip", "region": port.region,
                        "network_id": port.network_id, "object_id": port.port_id,
                        "address": ip, "ip_version": 6 if ip and ":" in ip else 4,
                        "mac": port.mac, "device_owner": port.device_owner,
                        "device_id": port.device_id, "seen_at": iso(seen),
                        "name": port.name, "network_name": port.network_name})
    for fip, seen in inventory["floating_ip"]:
        out.append({"kind": "floating_ip", "region": fip.region,
                    "network_id": fip.floating_network_id, "object_id": fip.fip_id,
                    "address": fip.floating_ip, "ip_version": 6 if ":" in fip.floating_ip
                    else 4, "mac": None, "device_owner": "floating_ip",
                    "device_id": fip.port_id, "fixed_ip": fip.fixed_ip, "seen_at": iso(seen),
                    "name": fip.description, "network_name": ""})
    for gw, seen in inventory["router_gateway"]:
        for ip in gw.ips:
            out.append({"kind": "public", "region": gw.region, "network_id": gw.network_id,
                        "object_id": gw.router_id, "address": ip,
                        "ip_version": 6 if ":" in ip else 4, "mac": None,
                        "device_owner": "router_gateway", "device_id": gw.router_id,
                        "seen_at": iso(seen), "name": gw.name, "network_name": ""})
    return sorted(out, key=lambda r: (r["region"], r["kind"], str(r["address"]),
                                      r["object_id"]))


def _filtered(table: list[dict], filters: dict) -> list[dict]:
    for key in ("region", "network_id", "ip_version", "kind"):
        if filters.get(key) is not None:
            table = [r for r in table if r[key] == filters[key]]
    return table


def addresses(rt: Runtime, project_id: str, filters: dict, max_age: float) -> list[dict]:
    return _filtered(rows(_current(rt, project_id, max_age)), filters)


CSV_COLUMNS = ["kind", "region", "network_id", "object_id", "address", "ip_version", "mac",
               "device_owner", "device_id", "fixed_ip", "seen_at",
               "name", "network_name"]   # added later: new columns go at the end


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value):
    """A text cell a spreadsheet would run as a formula (a Neutron name is the tenant's
    choice: "=HYPERLINK(...)") gets a leading quote, as OWASP advises for CSV exports."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def as_csv(table: list[dict]) -> str:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, CSV_COLUMNS, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    writer.writerows({k: spreadsheet_safe(v) for k, v in row.items()} for row in table)
    return buf.getvalue()


def find(rt: Runtime, project_id: str, *, ip: str | None, mac: str | None,
         max_age: float) -> list[dict]:
    """Who uses this address: every row holding the IP (or inside a subnet's CIDR, for the
    subnet rows) or the MAC."""
    table = rows(_current(rt, project_id, max_age))
    if mac:
        return [r for r in table if r["mac"] and r["mac"].lower() == mac.lower()]
    target = ipaddress.ip_address(ip)
    hits = []
    for r in table:
        if r["kind"] == "subnet":
            if ipaddress.ip_network(r["address"]).version == target.version and \
                    target in ipaddress.ip_network(r["address"]):
                hits.append(r)
        elif r["address"] and ipaddress.ip_address(r["address"]) == target:
            hits.append(r)
    return hits


def project_conflicts(rt: Runtime, project_id: str, max_age: float) -> list[dict]:
    inv = _current(rt, project_id, max_age)
    plan = rt.addresses.plan(project_id)
    found = conflicts.find_conflicts([s for s, _ in inv["subnet"]],
                                     [p for p, _ in inv["port"]],
                                     [f for f, _ in inv["floating_ip"]],
                                     [g for g, _ in inv["router_gateway"]],
                                     groups=plan.groups if plan else None)
    return [dataclasses.asdict(c) for c in found]


def summary(rt: Runtime, project_id: str, max_age: float) -> list[dict]:
    inv = _current(rt, project_id, max_age)
    usage = allocator.subnet_usage([s for s, _ in inv["subnet"]], [p for p, _ in inv["port"]])
    return [dataclasses.asdict(u) for u in usage]


def external(rt: Runtime) -> dict:
    """Admin: floating and router gateway addresses of every project, read live from every
    region, and the duplicates among them."""
    names = region_service.region_names(rt)

    def read(region):
        conn = rt.registry.connection(region)
        return (neutron.read_floating_ips(conn, region, None),
                neutron.read_router_gateways(conn, region, None))

    fips, gateways, failed = [], [], {}
    for region, result in rt.registry.fan_out(read, names).items():
        if isinstance(result, Exception):
            failed[region] = type(result).__name__
        else:
            fips += result[0]
            gateways += result[1]
    return {"floating_ips": [dataclasses.asdict(f) for f in fips],
            "router_gateways": [dataclasses.asdict(g) for g in gateways],
            "conflicts": [dataclasses.asdict(c)
                          for c in conflicts.external_ip_duplicates(fips, gateways)],
            "unreachable": failed}


# ---- plans and allocation ------------------------------------------------------------------
def get_plan(rt: Runtime, project_id: str) -> dict:
    plan = rt.addresses.plan(project_id)
    if plan is None:
        raise NotFound(f"project {project_id} has no address plan", field="project_id")
    return {"project_id": project_id, "supernets": plan.supernets, "groups": plan.groups}


def set_plan(rt: Runtime, project_id: str, supernets: list[str], groups: dict) -> dict:
    for i, cidr in enumerate(supernets):
        try:
            ipaddress.ip_network(cidr, strict=True)  # host bits set: a typo, not a plan
            parse_cidr(cidr)
        except ValueError as exc:
            raise BadRequest(f"supernets[{i}]: {exc}", field=f"supernets[{i}]")
    rt.addresses.set_plan(project_id, supernets, groups)
    return get_plan(rt, project_id)


def _own_network(conn, region: str, network_id: str, project_id: str):
    """The subnet goes on a network of the project's own, read with the caller's authority
    (a shared, external or another project's network is refused, even when visible)."""
    try:
        owner = neutron.network_owner(conn, network_id)
    except (*region_errors.UNREACHABLE, region_errors.SDKError) as exc:
        raise UpstreamUnavailable(f"cannot read network {network_id} in {region}: "
                                  f"{type(exc).__name__}", field="region")
    if owner is None:
        raise NotFound(f"network {network_id} not found in {region}", field="network_id")
    if owner != project_id:
        raise Forbidden(f"network {network_id} in {region} does not belong to project "
                        f"{project_id}: subnets are allocated only on the project's own "
                        "networks", field="network_id")


def allocate(rt: Runtime, caller: Caller, project_id: str, *, region: str, network_id: str,
             prefixlen: int, ip_version: int, name: str | None) -> dict:
    """The next free CIDR of the plan that overlaps nothing in any region of the network's
    connectivity group, created as a subnet in `region`. One allocation per project at a
    time (a DB lease); the used space is read live from every region under that lease, plus
    reservations being created, so two concurrent requests never get overlapping CIDRs."""
    region_service.require_regions(rt, [region], "region")
    conn = delegation.acting(rt, caller).connection(region)
    _own_network(conn, region, network_id, project_id)
    store = rt.addresses
    plan = store.plan(project_id)
    if plan is None or not plan.supernets:
        raise Conflict(f"project {project_id} has no address plan; PUT one first",
                       field="project_id")
    lock, owner = f"address-plan:{project_id}", f"alloc:{utcnow().timestamp()}:{id(store)}"
    try:
        with locks.held(rt.store.db_url, lock, owner, ALLOCATION_LEASE, wait=ALLOCATION_WAIT,
                        poll=0.1):
            cidr, group, reservation = _reserve(rt, store, plan, project_id, region,
                                                network_id, prefixlen, ip_version)
    except locks.Busy:
        raise UpstreamUnavailable("another allocation of this project is running; try again",
                                  field="project_id") from None
    try:
        subnet_id = neutron.create_subnet(
            conn, network_id=network_id, cidr=cidr, ip_version=ip_version,
            project_id=project_id, name=name or f"albatross-{cidr}")
    except Exception as exc:
        store.settle(reservation.id, error=reason(exc))
        status = getattr(exc, "status_code", None)
        if isinstance(exc, region_errors.HttpError) and status and 400 <= status < 500:
            raise BadRequest(f"{region} refused the subnet {cidr}: "
                             f"{reason(exc)}", field="network_id")
        raise UpstreamUnavailable(f"{region} could not create the subnet {cidr}: "
                                  f"{type(exc).__name__}", field="region")
    store.settle(reservation.id, subnet_id=subnet_id)
    refresh(rt, project_id, incremental=True)
    return {"cidr": cidr, "region": region, "network_id": network_id,
            "subnet_id": subnet_id, "ip_version": ip_version, "group": group}


def _reserve(rt: Runtime, store: AddressStore, plan, project_id: str, region: str,
             network_id: str, prefixlen: int, ip_version: int):
    """Under the project's allocation lease: the next free CIDR, reserved."""
    group = conflicts.group_of(network_id, project_id, plan.groups)
    # reservations first, then Neutron: an allocation that settles (its reservation
    # ends) between the two reads has created its subnet before this live read starts.
    # The used space is what this call read, not the stored inventory, which another
    # refresh running meanwhile may replace with an older snapshot.
    reserved = [a.cidr for a in store.reserved(project_id)]
    seen: dict[str, dict] = {}
    live = refresh(rt, project_id, read=seen)
    down = [r for r, state in live.items() if state != "ok"]
    if down:
        raise UpstreamUnavailable(f"cannot check the address space of {', '.join(down)}: "
                                  "allocation needs every region", field="region")
    subnets = [s for inventory in seen.values() for s in inventory["subnets"]
               if conflicts.group_of(s.network_id, s.project_id, plan.groups) == group]
    used = [s.cidr for s in subnets] + reserved
    try:
        cidr = allocator.next_free_cidr(plan.supernets, prefixlen, used, ip_version)
    except allocator.PlanFull as exc:
        raise Conflict(str(exc), field="prefix_length")
    except ValueError as exc:
        raise BadRequest(str(exc), field="prefix_length")
    reservation = store.reserve(project_id=project_id, region=region,
                                network_id=network_id, cidr=cidr, ip_version=ip_version)
    return cidr, group, reservation


def _due(rt: Runtime, states: list, now) -> bool | None:
    """Whether one project's inventory (its refresh states, one per region) is due a full
    read (True) or an incremental one (False), or not due at all (None): an incremental
    read every [addresses] refresh_interval, a full one every full_refresh_interval."""
    interval = rt.conf.addresses.refresh_interval
    latest = max((s.incremental_at for s in states if s.incremental_at), default=None)
    if interval <= 0 or latest and now - latest < datetime.timedelta(seconds=interval):
        return None
    oldest_full = min((s.full_at for s in states if s.full_at), default=None)
    return oldest_full is None or now - oldest_full >= datetime.timedelta(
        seconds=rt.conf.addresses.full_refresh_interval)


def refreshes_due(rt: Runtime) -> list[str]:
    """The projects whose inventory is in use and due a read."""
    now, by_project = utcnow(), {}
    for state in rt.addresses.refreshes():
        by_project.setdefault(state.project_id, []).append(state)
    return [p for p, states in by_project.items() if _due(rt, states, now) is not None]


def refresh_if_due(rt: Runtime, project_id: str) -> bool:
    """The project's periodic read, if it is (still) due."""
    states = rt.addresses.refreshes(project_id)
    full = _due(rt, states, utcnow()) if states else None
    if full is None:
        return False
    refresh(rt, project_id, incremental=not full)
    return True
