"""Which groups a sync carries: the ones asked for (by id, name or tag, or all) plus every
group and address group their rules point at, transitively, so references can be rewritten
to copies in the target. Pure."""
from dataclasses import dataclass

from albatross.secgroups.model import Snapshot


@dataclass(frozen=True)
class Selector:
    all: bool = False
    names: tuple[str, ...] = ()   # names or ids
    tags: tuple[str, ...] = ()    # a group with any of these tags

    def to_dict(self) -> dict:
        return {"all": self.all, "names": list(self.names), "tags": list(self.tags)}

    @classmethod
    def from_dict(cls, d: dict) -> "Selector":
        return cls(bool(d.get("all")), tuple(d.get("names") or ()), tuple(d.get("tags") or ()))


class UnknownGroups(Exception):
    def __init__(self, names: list[str]):
        super().__init__(", ".join(names))
        self.names = names


class AmbiguousName(Exception):
    def __init__(self, name: str, count: int):
        super().__init__(f"{count} security groups are named {name!r}; give its id")
        self.name = name


class ForeignReference(Exception):
    """A rule points at a group of another project: it cannot be copied with it."""


def chosen_ids(snapshot: Snapshot, selector: Selector, strict: bool = True) -> set[str]:
    """Ids of the groups the selector names. `strict`: every name must match one group."""
    if selector.all:
        return set(snapshot.groups)
    ids, unknown = set(), []
    for name in selector.names:
        if name in snapshot.groups:
            ids.add(name)
            continue
        same = [g.id for g in snapshot.groups.values() if g.name == name]
        if len(same) > 1 and strict:
            raise AmbiguousName(name, len(same))
        if not same:
            unknown.append(name)
        ids.update(same)
    if unknown and strict:
        raise UnknownGroups(unknown)
    wanted_tags = set(selector.tags)
    ids.update(g.id for g in snapshot.groups.values() if wanted_tags & set(g.tags or ()))
    return ids


def closure(snapshot: Snapshot, ids: set[str]) -> Snapshot:
    """The chosen groups and everything their rules reference, transitively."""
    todo, groups, ags = list(ids), {}, {}
    while todo:
        gid = todo.pop()
        if gid in groups:
            continue
        group = snapshot.groups[gid]
        groups[gid] = group
        for rule in group.rules.values():
            if rule.remote_group:
                if rule.remote_group not in snapshot.groups:
                    raise ForeignReference(
                        f"a rule of group {group.name!r} allows group {rule.remote_group}, "
                        "which belongs to another project; it cannot be copied")
                todo.append(rule.remote_group)
            if rule.remote_address_group:
                if rule.remote_address_group not in snapshot.address_groups:
                    raise ForeignReference(
                        f"a rule of group {group.name!r} uses address group "
                        f"{rule.remote_address_group} of another project")
                ags[rule.remote_address_group] = \
                    snapshot.address_groups[rule.remote_address_group]
    return Snapshot(groups, ags)
