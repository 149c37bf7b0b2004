"""What to change in one target region so its copies match the source: pure, no I/O.

Three-way: the source snapshot, the target snapshot and the mapping table (source id -> target
id). Each source group resolves to its mapped copy, else the target's `default` (merged into,
never duplicated), else the one unmapped group of the same name (adopted), else a new group.
Rules have no update API, so they are compared as values after translating remote group and
address group ids to the target's; changed rules are removed and added. Albatross owns every
rule of a group it created; in a group it adopted it removes only the rules it added itself."""
from dataclasses import dataclass, field, replace

from albatross.secgroups.model import Rule, Snapshot

NEW = "new:"  # a remote reference to a group that the plan creates first


@dataclass(frozen=True)
class Mapped:
    target_id: str
    created: bool                             # Albatross created it: every rule is ours
    owned_rules: frozenset[str] = frozenset()  # adopted: the rule ids Albatross added
    policies: frozenset[str] = frozenset()     # the sync policies that keep it in step


@dataclass
class Mappings:
    groups: dict[str, Mapped] = field(default_factory=dict)
    address_groups: dict[str, Mapped] = field(default_factory=dict)


@dataclass(frozen=True)
class Drift:
    kind: str           # missing | different | extra | deleted
    resource_type: str  # security_group | address_group | rule
    name: str
    detail: str
    repairable: bool = True  # False: reported only (not ours to change, or ambiguous)

    def to_dict(self) -> dict:
        return {"kind": self.kind, "resource_type": self.resource_type, "name": self.name,
                "detail": self.detail, "repairable": self.repairable}


@dataclass
class Resolution:
    groups: dict[str, str] = field(default_factory=dict)          # sid -> target id or NEW+sid
    address_groups: dict[str, str] = field(default_factory=dict)
    adopted: dict[str, str] = field(default_factory=dict)         # sid -> how (default|name)
    conflicts: dict[str, str] = field(default_factory=dict)       # sid -> why


@dataclass
class RegionPlan:
    resolution: Resolution
    create_address_groups: list[str] = field(default_factory=list)
    update_address_groups: list[tuple[str, str, dict]] = field(default_factory=list)
    add_addresses: list[tuple[str, list[str]]] = field(default_factory=list)
    remove_addresses: list[tuple[str, list[str]]] = field(default_factory=list)
    create_groups: list[str] = field(default_factory=list)
    update_groups: list[tuple[str, str, dict]] = field(default_factory=list)
    remove_rules: list[tuple[str, str]] = field(default_factory=list)   # (sid, rule id)
    add_rules: list[tuple[str, Rule]] = field(default_factory=list)     # (sid, target rule)
    delete_groups: list[tuple[str, str]] = field(default_factory=list)  # (sid, target id)
    unmap_groups: list[str] = field(default_factory=list)
    drift: list[Drift] = field(default_factory=list)

    @property
    def writes(self) -> int:
        return (len(self.create_address_groups) + len(self.update_address_groups)
                + len(self.add_addresses) + len(self.remove_addresses)
                + len(self.create_groups) + len(self.update_groups) + len(self.remove_rules)
                + len(self.add_rules) + len(self.delete_groups))


def _resolve(source_objs: dict, target_objs: dict, mapped: dict[str, Mapped], res_map: dict,
             res: Resolution, kind: str) -> None:
    taken = {m.target_id for sid, m in mapped.items() if m.target_id in target_objs}
    for sid, obj in source_objs.items():
        m = mapped.get(sid)
        if m is not None and m.target_id in target_objs:
            res_map[sid] = m.target_id
            continue
        same = [t.id for t in target_objs.values() if t.name == obj.name and t.id not in taken]
        if kind == "security_group" and obj.is_default:
            # only a source default is ever mapped to the target's: a mapping left by an older
            # one (deleted, then made again by Neutron) must not hide it
            same = [t.id for t in target_objs.values() if t.name == obj.name]
            if same:
                res_map[sid], res.adopted[sid] = same[0], "default"
                taken.add(same[0])
            else:
                res.conflicts[sid] = "the target project has no default security group yet"
        elif len(same) == 1:
            res_map[sid], res.adopted[sid] = same[0], "name"
            taken.add(same[0])
        elif len(same) > 1:
            res.conflicts[sid] = (f"{len(same)} unmapped {kind.replace('_', ' ')}s named "
                                  f"{obj.name!r} in the target; cannot tell which is the copy")
        else:
            res_map[sid] = NEW + sid


def resolve(source: Snapshot, target: Snapshot, mappings: Mappings) -> Resolution:
    res = Resolution()
    _resolve(source.address_groups, target.address_groups, mappings.address_groups,
             res.address_groups, res, "address_group")
    _resolve(source.groups, target.groups, mappings.groups, res.groups, res,
             "security_group")
    return res


def _owns_all(sid: str, res: Resolution, mappings: Mappings) -> bool:
    if res.groups.get(sid, "").startswith(NEW):
        return True
    m = mappings.groups.get(sid)
    return m is not None and m.created and m.target_id == res.groups[sid] \
        and sid not in res.adopted


def _owned_rules(sid: str, res: Resolution, mappings: Mappings) -> frozenset[str]:
    m = mappings.groups.get(sid)
    if m is None or m.target_id != res.groups.get(sid):
        return frozenset()
    return m.owned_rules


def _plan_address_groups(source: Snapshot, target: Snapshot, plan: RegionPlan) -> None:
    for sid, src in source.address_groups.items():
        tid = plan.resolution.address_groups.get(sid)
        if tid is None:
            plan.drift.append(Drift("different", "address_group", src.name,
                                    plan.resolution.conflicts[sid], False))
            continue
        if tid.startswith(NEW):
            plan.create_address_groups.append(sid)
            plan.drift.append(Drift("missing", "address_group", src.name, "not in target"))
            continue
        cur = target.address_groups[tid]
        changes = {k: getattr(src, k) for k in ("name", "description")
                   if getattr(src, k) != getattr(cur, k)}
        if changes:
            plan.update_address_groups.append((sid, tid, changes))
        add = sorted(set(src.addresses) - set(cur.addresses))
        remove = sorted(set(cur.addresses) - set(src.addresses))
        if add:
            plan.add_addresses.append((tid, add))
        if remove:
            plan.remove_addresses.append((tid, remove))
        if changes or add or remove:
            plan.drift.append(Drift("different", "address_group", src.name,
                                    _changes_text(changes, add, remove)))


def _changes_text(changes: dict, add=(), remove=()) -> str:
    parts = [f"{k} -> {v!r}" for k, v in changes.items()]
    parts += [f"+{a}" for a in add] + [f"-{r}" for r in remove]
    return ", ".join(parts)


def _group_changes(src, cur) -> dict:
    changes = {k: getattr(src, k) for k in ("name", "description")
               if getattr(src, k) != getattr(cur, k) and not src.is_default}
    if cur.stateful is not None and src.stateful is not None and src.stateful != cur.stateful:
        changes["stateful"] = src.stateful
    if cur.tags is not None and src.tags is not None and tuple(src.tags) != tuple(cur.tags):
        changes["tags"] = list(src.tags)
    return changes


def _neutron_key(rule: Rule) -> Rule:
    """What Neutron compares to refuse a new rule as a duplicate of one the group has (409):
    the description does not count, and a prefix of all addresses is the same as none."""
    prefix = None if rule.remote_ip_prefix in ("0.0.0.0/0", "::/0") else rule.remote_ip_prefix
    return replace(rule, description="", remote_ip_prefix=prefix)


def _plan_rules(sid: str, src, cur, desired: set[Rule], plan: RegionPlan,
                mappings: Mappings, may_remove: bool) -> None:
    res = plan.resolution
    current = {} if cur is None else cur.rules
    present = set(current.values())
    owns_all = _owns_all(sid, res, mappings)
    owned = _owned_rules(sid, res, mappings)
    removable = {rid for rid in current if may_remove and (owns_all or rid in owned)}
    why = "not added by Albatross" if may_remove else "a remote group is unresolved"
    # a rule we may not remove that Neutron takes for a wanted one stands in for it: Neutron
    # would refuse the wanted one as a duplicate on every run
    standing = {_neutron_key(r): rid for rid, r in current.items() if rid not in removable}
    stand_ins = set()
    for rule in sorted(desired - present, key=_rule_order):
        rid = standing.get(_neutron_key(rule))
        if rid is not None:
            stand_ins.add(rid)
            have = current[rid]
            plan.drift.append(Drift(  # "extra", not "different": the task must not fail
                "extra", "rule", src.name,
                f"{have.describe()} {have.description!r} stands in for the source's "
                f"{rule.describe()} {rule.description!r}, Neutron's duplicate (left alone: "
                f"{why})", False))
            continue
        plan.add_rules.append((sid, rule))
        if cur is not None:
            plan.drift.append(Drift("missing", "rule", src.name, rule.describe()))
    for rid, rule in sorted(current.items()):
        if rule in desired or rid in stand_ins:
            continue
        if rid in removable:
            plan.remove_rules.append((sid, rid))
            plan.drift.append(Drift("extra", "rule", src.name, rule.describe()))
        else:
            plan.drift.append(Drift("extra", "rule", src.name,
                                    f"{rule.describe()} (left alone: {why})", False))


def _rule_order(rule: Rule):
    return tuple("" if v is None else str(v) for v in rule.to_dict().values())


def plan_region(source: Snapshot, target: Snapshot, mappings: Mappings, *,
                deleted_in_source: dict[str, Mapped] | None = None,
                propagate_deletes: bool = False) -> RegionPlan:
    """Everything that differs, as drift, and the writes that repair it. `deleted_in_source`:
    mapped groups whose source is gone; their copies are deleted only when `propagate_deletes`
    and only if Albatross created them."""
    plan = RegionPlan(resolve(source, target, mappings))
    res = plan.resolution
    _plan_address_groups(source, target, plan)
    for sid, src in source.groups.items():
        if sid in res.conflicts:
            plan.drift.append(Drift("different", "security_group", src.name,
                                    res.conflicts[sid], False))
            continue
        tid = res.groups[sid]
        cur = None if tid.startswith(NEW) else target.groups[tid]
        if cur is None:
            plan.create_groups.append(sid)
            plan.drift.append(Drift("missing", "security_group", src.name, "not in target"))
        else:
            changes = _group_changes(src, cur)
            if changes:
                plan.update_groups.append((sid, tid, changes))
                plan.drift.append(Drift("different", "security_group", src.name,
                                        _changes_text(changes)))
        unresolved = [r for r in src.rules.values()
                      if (r.remote_group and r.remote_group not in res.groups)
                      or (r.remote_address_group
                          and r.remote_address_group not in res.address_groups)]
        desired = {r.translated(res.groups, res.address_groups) for r in src.rules.values()
                   if r not in unresolved}
        _plan_rules(sid, src, cur, desired, plan, mappings, may_remove=not unresolved)
    for sid, m in (deleted_in_source or {}).items():
        if sid in source.groups or m.target_id not in target.groups:
            continue
        name = target.groups[m.target_id].name
        if propagate_deletes and m.created:
            plan.delete_groups.append((sid, m.target_id))
            plan.drift.append(Drift("deleted", "security_group", name,
                                    "deleted in the source; the copy is deleted"))
        else:
            plan.drift.append(Drift("deleted", "security_group", name,
                                    "deleted in the source; the copy is kept", False))
            if propagate_deletes:
                plan.unmap_groups.append(sid)
    return plan
