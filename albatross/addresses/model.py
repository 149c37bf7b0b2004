"""What the inventory stores: one record per Neutron object per region, fields as Neutron
reports them (addresses stay strings; `ip` parses them when needed), and the conflicts found
between records of different regions.

Names (a subnet's, port's or router's `name`, a floating IP's `description`, the network's
name) are for people only: every check works on ids. They default to "" so records stored
before they were read still load; a network of another project (shared or external) has no
name here, since only the project's own networks are listed."""
from dataclasses import dataclass


@dataclass(frozen=True)
class Subnet:
    region: str
    project_id: str
    network_id: str
    subnet_id: str
    cidr: str
    ip_version: int
    gateway: str | None = None
    allocation_pools: tuple[tuple[str, str], ...] = ()   # (start, end), both included
    subnetpool_id: str | None = None
    address_scope_id: str | None = None
    name: str = ""
    network_name: str = ""

    def side(self) -> dict:
        return {"region": self.region, "project_id": self.project_id,
                "network_id": self.network_id, "subnet_id": self.subnet_id, "cidr": self.cidr,
                "subnet_name": self.name, "network_name": self.network_name}


@dataclass(frozen=True)
class Port:
    region: str
    project_id: str
    network_id: str
    port_id: str
    mac: str
    fixed_ips: tuple[tuple[str, str], ...] = ()   # (subnet_id, ip)
    device_owner: str = ""
    device_id: str = ""
    name: str = ""
    network_name: str = ""

    def side(self, subnet_id: str | None = None, subnet_name: str = "") -> dict:
        """This port as one side of a conflict; `subnet_id`: the subnet of the fixed IP in
        question (and its name, when known)."""
        side = {"region": self.region, "project_id": self.project_id,
                "network_id": self.network_id, "port_id": self.port_id,
                "device_owner": self.device_owner, "device_id": self.device_id}
        if subnet_id is not None:
            side["subnet_id"] = subnet_id
        side["port_name"], side["network_name"] = self.name, self.network_name
        if subnet_id is not None:
            side["subnet_name"] = subnet_name
        return side


@dataclass(frozen=True)
class FloatingIP:
    region: str
    project_id: str
    fip_id: str
    floating_ip: str
    fixed_ip: str | None = None
    port_id: str | None = None
    floating_network_id: str = ""
    description: str = ""   # floating IPs have no name in Neutron

    def side(self) -> dict:
        return {"region": self.region, "project_id": self.project_id, "fip_id": self.fip_id,
                "network_id": self.floating_network_id, "port_id": self.port_id,
                "fixed_ip": self.fixed_ip, "description": self.description}


@dataclass(frozen=True)
class RouterGateway:
    """A router's external gateway: its addresses on the external network are public like
    floating IPs, so they take part in the same duplicate check."""
    region: str
    project_id: str
    router_id: str
    network_id: str
    ips: tuple[str, ...] = ()
    name: str = ""   # the router's

    def side(self) -> dict:
        return {"region": self.region, "project_id": self.project_id,
                "network_id": self.network_id, "router_id": self.router_id,
                "router_name": self.name}


SUBNET_OVERLAP, FIXED_IP, EXTERNAL_IP, MAC = "subnet-overlap", "fixed-ip", "external-ip", "mac"


@dataclass(frozen=True)
class Conflict:
    """Two records of different regions (external IPs: of any regions) that claim the same
    addresses. `key` is what they share: the overlapping CIDR (the smaller of the two), the IP
    or the MAC. `group` is the connectivity group both sides belong to; None when they belong
    to different groups (MAC duplicates, ranked after the same-group ones) or when groups do
    not apply (external IPs: public addresses must be unique everywhere)."""
    kind: str
    key: str
    side_a: dict
    side_b: dict
    group: str | None = None
