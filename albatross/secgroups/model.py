"""Security groups, rules and address groups as plain values: what one region holds for one
project. Rules are compared as values (Neutron has no rule update), so a rule is a frozen
dataclass whose remote references are ids in the region it was read from."""
from dataclasses import dataclass, field, fields, replace

RULE_FIELDS = ("direction", "ethertype", "protocol", "port_range_min", "port_range_max",
               "remote_ip_prefix", "remote_group", "remote_address_group", "description")


@dataclass(frozen=True)
class Rule:
    direction: str
    ethertype: str
    protocol: str | None = None
    port_range_min: int | None = None
    port_range_max: int | None = None
    remote_ip_prefix: str | None = None
    remote_group: str | None = None
    remote_address_group: str | None = None
    description: str = ""

    def translated(self, groups: dict[str, str], address_groups: dict[str, str]) -> "Rule":
        """The same rule with its remote references replaced through the given maps."""
        return replace(self, remote_group=groups.get(self.remote_group, self.remote_group)
                       if self.remote_group else None,
                       remote_address_group=address_groups.get(
                           self.remote_address_group, self.remote_address_group)
                       if self.remote_address_group else None)

    def describe(self) -> str:
        ports = ""
        if self.port_range_min is not None or self.port_range_max is not None:
            ports = f" {self.port_range_min}-{self.port_range_max}"
        remote = (self.remote_ip_prefix or (self.remote_group and f"group {self.remote_group}")
                  or (self.remote_address_group
                      and f"address group {self.remote_address_group}") or "any")
        return f"{self.direction} {self.ethertype} {self.protocol or 'any'}{ports} {remote}"

    def to_dict(self) -> dict:
        return {f.name: getattr(self, f.name) for f in fields(self)}


@dataclass
class Group:
    id: str
    name: str
    description: str = ""
    stateful: bool | None = True     # None: the region lacks the stateful-security-group API
    tags: tuple[str, ...] | None = ()  # None: the region lacks tags on security groups
    rules: dict[str, Rule] = field(default_factory=dict)  # rule id -> rule

    @property
    def is_default(self) -> bool:
        return self.name == "default"

    def to_dict(self) -> dict:
        return {"id": self.id, "name": self.name, "description": self.description,
                "stateful": self.stateful, "tags": None if self.tags is None else list(self.tags),
                "rules": {rid: r.to_dict() for rid, r in self.rules.items()}}

    @classmethod
    def from_dict(cls, d: dict) -> "Group":
        return cls(d["id"], d["name"], d.get("description") or "", d.get("stateful"),
                   None if d.get("tags") is None else tuple(sorted(d["tags"])),
                   {rid: Rule(**r) for rid, r in d.get("rules", {}).items()})


@dataclass
class AddressGroup:
    id: str
    name: str
    description: str = ""
    addresses: tuple[str, ...] = ()

    def to_dict(self) -> dict:
        return {"id": self.id, "name": self.name, "description": self.description,
                "addresses": list(self.addresses)}

    @classmethod
    def from_dict(cls, d: dict) -> "AddressGroup":
        return cls(d["id"], d["name"], d.get("description") or "",
                   tuple(sorted(d.get("addresses") or ())))


@dataclass
class Snapshot:
    """One project's groups and address groups in one region, keyed by id."""
    groups: dict[str, Group] = field(default_factory=dict)
    address_groups: dict[str, AddressGroup] = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {"groups": [g.to_dict() for g in self.groups.values()],
                "address_groups": [a.to_dict() for a in self.address_groups.values()]}

    @classmethod
    def from_dict(cls, d: dict) -> "Snapshot":
        groups = [Group.from_dict(g) for g in d.get("groups", [])]
        ags = [AddressGroup.from_dict(a) for a in d.get("address_groups", [])]
        return cls({g.id: g for g in groups}, {a.id: a for a in ags})


def rule_from_sdk(r) -> Rule:
    """From an openstacksdk SecurityGroupRule or the dict Neutron embeds in a group."""
    get = r.get if isinstance(r, dict) else (lambda k, d=None: getattr(r, k, d))
    return Rule(get("direction"), get("ethertype"), get("protocol"), get("port_range_min"),
                get("port_range_max"), get("remote_ip_prefix"), get("remote_group_id"),
                get("remote_address_group_id"), get("description") or "")


def group_from_sdk(g) -> Group:
    """From an openstacksdk SecurityGroup or the dict Neutron sends."""
    get = g.get if isinstance(g, dict) else (lambda k, d=None: getattr(g, k, d))
    tags = get("tags")
    return Group(get("id"), get("name"), get("description") or "", get("stateful"),
                 None if tags is None else tuple(sorted(tags)),
                 {r["id"]: rule_from_sdk(r) for r in (get("security_group_rules") or [])})


def address_group_from_sdk(a) -> AddressGroup:
    return AddressGroup(a.id, a.name, a.description or "", tuple(sorted(a.addresses or ())))
