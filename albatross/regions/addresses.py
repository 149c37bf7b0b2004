"""Neutron reads for the address inventory: a project's networks (id and name only, for the
names), subnets, ports, floating IPs and router gateways in one region, five list calls.
`changed_since` (Neutron's timestamp extension) narrows a refresh to what changed; deletions
need a full read. The networks are listed in full on every read, incremental ones included:
a port that changed may sit on a network that did not."""
from collections.abc import Mapping

from openstack import exceptions as sdk_exc

from albatross.addresses.model import FloatingIP, Port, RouterGateway, Subnet

Names = Mapping[str, str] | None


def _since(changed_since: str | None) -> dict:
    return {"changed_since": changed_since} if changed_since else {}


def read_network_names(conn, project_id: str) -> dict[str, str]:
    """Network id -> name of the project's own networks (shared and external networks of
    other projects are not listed: their names stay unknown)."""
    return {n.id: n.name or "" for n in conn.network.networks(project_id=project_id,
                                                               fields=["id", "name"])}


def read_subnets(conn, region: str, project_id: str, changed_since=None,
                 network_names: Names = None) -> list[Subnet]:
    names = network_names or {}
    return [Subnet(region, s.project_id, s.network_id, s.id, s.cidr, s.ip_version,
                   s.gateway_ip,
                   tuple((p["start"], p["end"]) for p in (s.allocation_pools or ())),
                   s.subnet_pool_id, None, s.name or "", names.get(s.network_id, ""))
            for s in conn.network.subnets(project_id=project_id, **_since(changed_since))]


def read_ports(conn, region: str, project_id: str, changed_since=None,
               network_names: Names = None) -> list[Port]:
    names = network_names or {}
    return [Port(region, p.project_id, p.network_id, p.id, p.mac_address,
                 tuple((ip["subnet_id"], ip["ip_address"]) for ip in (p.fixed_ips or ())),
                 p.device_owner or "", p.device_id or "", p.name or "",
                 names.get(p.network_id, ""))
            for p in conn.network.ports(project_id=project_id, **_since(changed_since))]


def read_floating_ips(conn, region: str, project_id: str | None,
                      changed_since=None) -> list[FloatingIP]:
    query = {"project_id": project_id} if project_id else {}
    return [FloatingIP(region, f.project_id, f.id, f.floating_ip_address, f.fixed_ip_address,
                       f.port_id, f.floating_network_id, f.description or "")
            for f in conn.network.ips(**query, **_since(changed_since))]


def read_router_gateways(conn, region: str, project_id: str | None) -> list[RouterGateway]:
    query = {"project_id": project_id} if project_id else {}
    out = []
    for r in conn.network.routers(**query):
        gw = r.external_gateway_info or {}
        if gw.get("network_id"):
            out.append(RouterGateway(region, r.project_id, r.id, gw["network_id"], tuple(
                ip["ip_address"] for ip in gw.get("external_fixed_ips") or ()), r.name or ""))
    return out


def read_inventory(conn, region: str, project_id: str,
                   changed_since: str | None = None) -> dict[str, list]:
    """Everything of the project in the region: a full read, or with `changed_since` the
    subnets, ports and floating IPs changed since then (router gateways are always read in
    full)."""
    names = read_network_names(conn, project_id)
    return {"subnets": read_subnets(conn, region, project_id, changed_since, names),
            "ports": read_ports(conn, region, project_id, changed_since, names),
            "floating_ips": read_floating_ips(conn, region, project_id, changed_since),
            "router_gateways": read_router_gateways(conn, region, project_id)}


def network_owner(conn, network_id: str) -> str | None:
    """The project that owns the network, None if it is not found (or not visible)."""
    try:
        return conn.network.get_network(network_id).project_id
    except sdk_exc.NotFoundException:
        return None


def create_subnet(conn, *, network_id: str, cidr: str, ip_version: int, project_id: str,
                  name: str) -> str:
    """The id of the subnet made."""
    return conn.network.create_subnet(network_id=network_id, cidr=cidr, ip_version=ip_version,
                                      project_id=project_id, name=name).id
