"""One simulated region's objects and what its services decide about them (pure: no I/O),
as Nova and Neutron answer: keypairs per user, unique by name; security groups per project,
a default group made on the first look at a project, rules unique by their fields. Its images
(glance.py) and its servers and Placement (compute.py) are kept in modules of their own."""
import base64
import dataclasses
import datetime
import hashlib
import ipaddress
import random
import uuid

from albatross.quota.resources import RESOURCES
from albatross.regionsim.compute import Servers
from albatross.regionsim.errors import ApiError
from albatross.regionsim.glance import Images


def _stamp() -> dict:
    """Neutron's timestamps (the `changed_since` filter compares them)."""
    now = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return {"created_at": now, "updated_at": now}


def _span(start, end):
    """The addresses from start to end, lazily (a /8 pool must not be listed)."""
    address = start
    while address <= end:
        yield address
        address += 1


def fingerprint(public_key: str) -> str:
    """Nova's: the MD5 of the key's body, colon-separated hex."""
    try:
        body = base64.b64decode(public_key.split()[1])
    except (IndexError, ValueError):
        raise ApiError(400, "Keypair data is invalid: failed to parse public key") from None
    return ":".join(f"{b:02x}" for b in hashlib.md5(body).digest())


# what Neutron puts in a new group: egress to anywhere, IPv4 and IPv6
DEFAULT_EGRESS = ({"direction": "egress", "ethertype": "IPv4"},
                  {"direction": "egress", "ethertype": "IPv6"})
RULE_FIELDS = ("direction", "ethertype", "protocol", "port_range_min", "port_range_max",
               "remote_ip_prefix", "remote_group_id", "remote_address_group_id")


# the services' defaults for a project without limits of its own
DEFAULTS = {r.name: r.default for r in RESOURCES.values()}
BY_SERVICE = {s: [r.name for r in RESOURCES.values() if r.service == s]
              for s in ("compute", "volume", "network")}


@dataclasses.dataclass
class Region:
    name: str
    keypairs: dict = dataclasses.field(default_factory=dict)    # (user, name) -> dict
    groups: dict = dataclasses.field(default_factory=dict)      # id -> dict (rules inside)
    projects_seen: set = dataclasses.field(default_factory=set)
    limits: dict = dataclasses.field(default_factory=dict)      # project -> {name: limit}
    networks: dict = dataclasses.field(default_factory=dict)    # id -> dict
    subnets: dict = dataclasses.field(default_factory=dict)     # id -> dict
    ports: dict = dataclasses.field(default_factory=dict)       # id -> dict
    images: Images = dataclasses.field(default_factory=Images)
    servers: Servers = dataclasses.field(default_factory=Servers)

    # ---- Neutron networks, subnets, ports (the address inventory) ------------------------
    def network_create(self, body: dict) -> dict:
        project = body.get("project_id") or body.get("tenant_id")
        if not project:
            raise ApiError(400, "project_id is required")
        net = {"id": str(uuid.uuid4()), "name": body.get("name", ""), "project_id": project,
               "tenant_id": project, "status": "ACTIVE", "admin_state_up": True,
               "shared": False, "router:external": False, "subnets": [], **_stamp()}
        self.networks[net["id"]] = net
        return net

    def subnet_create(self, body: dict) -> dict:
        net = self.networks.get(body.get("network_id", ""))
        if net is None:
            raise ApiError(404, f"Network {body.get('network_id')} could not be found.")
        try:
            cidr = ipaddress.ip_network(body.get("cidr", ""), strict=True)
        except ValueError:
            raise ApiError(400, f"Invalid input for cidr: {body.get('cidr')!r}") from None
        hosts = cidr.num_addresses - (2 if cidr.version == 4 else 1)
        if hosts < 2:
            raise ApiError(400, f"The subnet {cidr} is too small")
        first, last = cidr.network_address + 1, cidr.network_address + hosts
        sub = {"id": str(uuid.uuid4()), "name": body.get("name", ""),
               "network_id": net["id"], "project_id": net["project_id"],
               "tenant_id": net["project_id"], "cidr": str(cidr),
               "ip_version": cidr.version, "gateway_ip": str(first),
               "allocation_pools": [{"start": str(first + 1), "end": str(last)}],
               "subnetpool_id": None, "enable_dhcp": False, **_stamp()}
        self.subnets[sub["id"]] = sub
        net["subnets"].append(sub["id"])
        return sub

    def port_create(self, body: dict) -> dict:
        net = self.networks.get(body.get("network_id", ""))
        if net is None:
            raise ApiError(404, f"Network {body.get('network_id')} could not be found.")
        used = {ip["ip_address"] for p in self.ports.values() for ip in p["fixed_ips"]}
        fixed = []
        for sid in net["subnets"]:
            pool = self.subnets[sid]["allocation_pools"][0]
            start, end = ipaddress.ip_address(pool["start"]), ipaddress.ip_address(pool["end"])
            free = next((a for a in _span(start, end) if str(a) not in used), None)
            if free is None:
                raise ApiError(409, f"No more IP addresses available on network {net['id']}.")
            fixed.append({"subnet_id": sid, "ip_address": str(free)})
        port = {"id": str(uuid.uuid4()), "name": body.get("name", ""),
                "network_id": net["id"], "project_id": net["project_id"],
                "tenant_id": net["project_id"], "fixed_ips": fixed,
                "mac_address": "fa:16:3e:" + ":".join(f"{random.randrange(256):02x}"
                                                      for _ in range(3)),
                "device_owner": body.get("device_owner", ""),
                "device_id": body.get("device_id", ""), "status": "DOWN", **_stamp()}
        self.ports[port["id"]] = port
        return port

    def listed(self, kind: str, project_id: str | None, changed_since: str | None) -> list:
        rows = {"networks": self.networks, "subnets": self.subnets, "ports": self.ports}[kind]
        return [r for r in rows.values()
                if (project_id is None or r["project_id"] == project_id)
                and (not changed_since or r["updated_at"] >= changed_since.rstrip("Z"))]

    # ---- quotas (Nova's and Cinder's os-quota-sets, Neutron's quotas) ----------------
    def limit_of(self, project_id: str, name: str) -> int:
        return self.limits.get(project_id, {}).get(name, DEFAULTS[name])

    def used(self, project_id: str, name: str) -> int:
        groups = [g for g in self.groups.values() if g["project_id"] == project_id]
        if name == "security_group":
            return len(groups)
        if name == "security_group_rule":
            return sum(len(g["security_group_rules"]) for g in groups)
        flavors = [s["flavor"] for s in self.servers.rows.values()
                   if s["tenant_id"] == project_id]
        if name in ("instances", "cores", "ram"):
            return len(flavors) if name == "instances" else sum(
                f["vcpus" if name == "cores" else "ram"] for f in flavors)
        return 0   # nothing else is counted yet: no volumes; networks not against quota

    def quota(self, service: str, project_id: str, usage: bool) -> dict:
        if service == "network" and project_id not in self.projects_seen:
            self.groups_of(project_id)      # as Neutron, which makes the default group then
        return {n: {"limit": self.limit_of(project_id, n), "in_use": self.used(project_id, n),
                    "used": self.used(project_id, n), "reserved": 0} if usage
                else self.limit_of(project_id, n) for n in BY_SERVICE[service]}

    def set_limits(self, service: str, project_id: str, values: dict) -> dict:
        known = set(BY_SERVICE[service])
        for name, value in values.items():
            if name not in known:
                continue   # the services ignore (or keep) what this simulation does not track
            value = int(value)
            if value != -1 and value < self.used(project_id, name):
                raise ApiError(400, f"Quota limit {value} for {name} must be greater than or "
                                    f"equal to already used and reserved "
                                    f"{self.used(project_id, name)}.")
            self.limits.setdefault(project_id, {})[name] = value
        return self.quota(service, project_id, usage=False)

    # ---- Nova keypairs ----------------------------------------------------------------
    def keypair_list(self, user_id: str) -> list[dict]:
        return [kp for (user, _name), kp in sorted(self.keypairs.items()) if user == user_id]

    def keypair_get(self, user_id: str, name: str) -> dict:
        kp = self.keypairs.get((user_id, name))
        if kp is None:
            raise ApiError(404, f"Keypair {name} not found for user {user_id}")
        return kp

    def keypair_create(self, user_id: str, body: dict) -> dict:
        name, key = body.get("name"), body.get("public_key")
        if not name or not key:
            raise ApiError(400, "Invalid input for field/attribute keypair.")
        if (user_id, name) in self.keypairs:
            raise ApiError(409, f"Key pair '{name}' already exists.")
        kp = {"name": name, "public_key": key, "fingerprint": fingerprint(key),
              "type": body.get("type") or "ssh", "user_id": user_id}
        self.keypairs[(user_id, name)] = kp
        return kp

    def keypair_delete(self, user_id: str, name: str) -> None:
        self.keypair_get(user_id, name)
        del self.keypairs[(user_id, name)]

    # ---- a bench's shortcut -----------------------------------------------------------
    def copy_from(self, other: "Region") -> None:
        """Take `other`'s keypairs and security groups (rules and their remote groups
        mapped onto this region's new ids) as they are: a bench starts from regions already
        in step without making every copy through the API first."""
        self.keypairs.update({k: dict(v) for k, v in other.keypairs.items()})
        ids = {gid: str(uuid.uuid4()) for gid in other.groups}
        for gid, g in other.groups.items():
            self.groups[ids[gid]] = {**g, "id": ids[gid], "tags": list(g["tags"]),
                                     "security_group_rules": [
                {**r, "id": str(uuid.uuid4()), "security_group_id": ids[gid],
                 "remote_group_id": ids.get(r["remote_group_id"], r["remote_group_id"])}
                for r in g["security_group_rules"]]}
        self.projects_seen |= other.projects_seen

    # ---- Neutron security groups ------------------------------------------------------
    def groups_of(self, project_id: str | None) -> list[dict]:
        if project_id and project_id not in self.projects_seen:
            self.projects_seen.add(project_id)   # Neutron makes the default group on a look
            self.group_create({"name": "default", "description": "Default security group",
                               "project_id": project_id}, default=True)
        return [g for g in self.groups.values()
                if project_id is None or g["project_id"] == project_id]

    def group_get(self, group_id: str) -> dict:
        g = self.groups.get(group_id)
        if g is None:
            raise ApiError(404, f"Security group {group_id} could not be found.")
        return g

    def group_create(self, body: dict, default: bool = False) -> dict:
        project = body.get("project_id") or body.get("tenant_id")
        if not project:
            raise ApiError(400, "project_id is required")
        if body.get("name") == "default" and not default:
            raise ApiError(409, "Default security group already exists.")
        self.projects_seen.add(project)
        gid = str(uuid.uuid4())
        g = {"id": gid, "name": body.get("name", ""), "description": body.get("description", ""),
             "project_id": project, "tenant_id": project, "stateful": body.get("stateful", True),
             "tags": [], "security_group_rules": [], "revision_number": 0}
        self.groups[gid] = g
        ingress = ({"direction": "ingress", "ethertype": e, "remote_group_id": gid}
                   for e in ("IPv4", "IPv6")) if default else ()
        for rule in (*DEFAULT_EGRESS, *ingress):
            self._add_rule(g, {**rule, "security_group_id": gid, "project_id": project})
        return g

    def group_update(self, group_id: str, body: dict) -> dict:
        g = self.group_get(group_id)
        for key in ("name", "description", "stateful"):
            if key in body:
                g[key] = body[key]
        g["revision_number"] += 1
        return g

    def group_set_tags(self, group_id: str, tags: list[str]) -> list[str]:
        self.group_get(group_id)["tags"] = sorted(set(tags))
        return self.groups[group_id]["tags"]

    def group_delete(self, group_id: str) -> None:
        g = self.group_get(group_id)
        if g["name"] == "default":
            raise ApiError(409, "Removing default security group not allowed.")
        del self.groups[group_id]

    def rules_create(self, bodies: list[dict]) -> list[dict]:
        """All or none, as Neutron's bulk create."""
        targets = [self.group_get(b.get("security_group_id", "")) for b in bodies]
        seen = set()
        for g, body in zip(targets, bodies):
            key = self._rule_key(body)
            if key in seen or any(self._rule_key(r) == key for r in g["security_group_rules"]):
                raise ApiError(409, "Security group rule already exists.")
            seen.add(key)
        return [self._add_rule(g, body) for g, body in zip(targets, bodies)]

    def rule_delete(self, rule_id: str) -> None:
        for g in self.groups.values():
            for r in g["security_group_rules"]:
                if r["id"] == rule_id:
                    g["security_group_rules"].remove(r)
                    return
        raise ApiError(404, f"Security group rule {rule_id} could not be found.")

    @staticmethod
    def _rule_key(body: dict) -> tuple:
        return (body.get("security_group_id"),) + tuple(body.get(f) for f in RULE_FIELDS)

    def _add_rule(self, g: dict, body: dict) -> dict:
        rule = {"id": str(uuid.uuid4()), "security_group_id": g["id"],
                "project_id": body.get("project_id") or g["project_id"],
                "tenant_id": body.get("project_id") or g["project_id"],
                "description": body.get("description", ""),
                **{f: body.get(f) for f in RULE_FIELDS}}
        g["security_group_rules"].append(rule)
        return rule
