"""Which groups a sync carries: selection by id, name, tag or all, and the closure over the
groups and address groups their rules point at (transitive, cycles included, never another
project's)."""
import pytest
from hypothesis import given
from hypothesis import strategies as st

from albatross.secgroups.model import AddressGroup, Group, Rule, Snapshot
from albatross.secgroups.select import (AmbiguousName, ForeignReference, Selector,
                                        UnknownGroups, chosen_ids, closure)


def allow(group: str | None = None, ag: str | None = None) -> Rule:
    return Rule("ingress", "IPv4", "tcp", 22, 22, None, group, ag)


def snapshot(*groups: Group, ags: tuple[str, ...] = ()) -> Snapshot:
    return Snapshot({g.id: g for g in groups},
                    {a: AddressGroup(a, f"ag-{a}", addresses=("10.0.0.0/8",)) for a in ags})


# web -> app -> db -> db (itself); app <-> cache; db uses address group a1; lone stands apart
SNAP = snapshot(
    Group("g-web", "web", tags=("prod",), rules={"r1": allow("g-app")}),
    Group("g-app", "app", rules={"r2": allow("g-db"), "r3": allow("g-cache")}),
    Group("g-cache", "cache", tags=None, rules={"r4": allow("g-app")}),
    Group("g-db", "db", tags=("prod", "data"), rules={"r5": allow("g-db"), "r6": allow(ag="a1")}),
    Group("g-lone", "lone", rules={"r7": Rule("egress", "IPv6")}),
    Group("g-dup1", "dup"), Group("g-dup2", "dup"),
    ags=("a1", "a2"))


def test_closure_follows_references_transitively():
    got = closure(SNAP, {"g-web"})
    assert set(got.groups) == {"g-web", "g-app", "g-db", "g-cache"}
    assert set(got.address_groups) == {"a1"}  # a2 is referenced by nobody
    assert got.groups["g-db"] is SNAP.groups["g-db"]  # the values themselves, not copies


def test_closure_of_a_leaf_is_itself_and_cycles_terminate():
    assert set(closure(SNAP, {"g-lone"}).groups) == {"g-lone"}
    assert set(closure(SNAP, {"g-cache"}).groups) == {"g-cache", "g-app", "g-db"}
    two = snapshot(Group("a", "a", rules={"r": allow("b"), "s": allow("a")}),
                   Group("b", "b", rules={"r": allow("a")}))
    assert set(closure(two, {"a"}).groups) == set(closure(two, {"b"}).groups) == {"a", "b"}
    assert closure(SNAP, set()) == Snapshot()


def test_foreign_references_raise():
    other_project = snapshot(Group("g1", "web", rules={"r": allow("not-here")}))
    with pytest.raises(ForeignReference, match="'web'.*not-here"):
        closure(other_project, {"g1"})
    foreign_ag = snapshot(Group("g1", "web"), Group("g2", "app", rules={"r": allow(ag="zz")}),
                          ags=("a1",))
    with pytest.raises(ForeignReference, match="zz"):
        closure(foreign_ag, {"g1", "g2"})
    # only what the closure reaches counts: the bad group unselected is no error
    assert set(closure(foreign_ag, {"g1"}).groups) == {"g1"}


def test_selection_by_name_id_tag_and_all():
    assert chosen_ids(SNAP, Selector(names=("web",))) == {"g-web"}
    assert chosen_ids(SNAP, Selector(names=("g-lone", "cache"))) == {"g-lone", "g-cache"}
    assert chosen_ids(SNAP, Selector(names=("g-dup2",))) == {"g-dup2"}  # an id is never ambiguous
    assert chosen_ids(SNAP, Selector(tags=("prod",))) == {"g-web", "g-db"}
    assert chosen_ids(SNAP, Selector(tags=("data", "nope"))) == {"g-db"}  # any of the tags
    assert chosen_ids(SNAP, Selector(names=("lone",), tags=("data",))) == {"g-lone", "g-db"}
    assert chosen_ids(SNAP, Selector(all=True, names=("zz",))) == set(SNAP.groups)
    assert chosen_ids(SNAP, Selector()) == set()


def test_unknown_names_raise_with_every_unknown_name():
    with pytest.raises(UnknownGroups) as err:
        chosen_ids(SNAP, Selector(names=("web", "nope", "g-missing")))
    assert err.value.names == ["nope", "g-missing"]
    assert chosen_ids(SNAP, Selector(names=("web", "nope")), strict=False) == {"g-web"}


def test_ambiguous_name_raises_unless_lenient():
    with pytest.raises(AmbiguousName) as err:
        chosen_ids(SNAP, Selector(names=("dup",)))
    assert err.value.name == "dup" and "2 security groups" in str(err.value)
    assert chosen_ids(SNAP, Selector(names=("dup",)), strict=False) == {"g-dup1", "g-dup2"}


def test_selector_round_trips_through_a_dict():
    sel = Selector(False, ("web", "g-1"), ("prod",))
    assert Selector.from_dict(sel.to_dict()) == sel
    assert Selector.from_dict({}) == Selector()
    assert Selector.from_dict({"all": 1, "names": None}) == Selector(all=True)


@st.composite
def graphs(draw):
    """A project's groups with rules pointing at random groups (itself, cycles) and address
    groups; some groups tagged."""
    n = draw(st.integers(1, 8))
    ids = [f"g{i}" for i in range(n)]
    ags = [f"a{i}" for i in range(draw(st.integers(0, 3)))]
    groups = []
    for gid in ids:
        refs = draw(st.lists(st.tuples(st.sampled_from(ids), st.sampled_from([None, *ags])),
                             max_size=3))
        groups.append(Group(gid, draw(st.sampled_from(["web", "db", "app"])),
                            tags=tuple(draw(st.sets(st.sampled_from(["x", "y"])))),
                            rules={f"{gid}-r{i}": allow(*ref) for i, ref in enumerate(refs)}))
    return snapshot(*groups, ags=tuple(ags)), draw(st.sets(st.sampled_from(ids)))


def reachable(snap: Snapshot, start: set[str]) -> tuple[set[str], set[str]]:
    seen, frontier, ags = set(), set(start), set()
    while frontier:
        seen |= frontier
        rules = [r for gid in frontier for r in snap.groups[gid].rules.values()]
        ags |= {r.remote_address_group for r in rules if r.remote_address_group}
        frontier = {r.remote_group for r in rules if r.remote_group} - seen
    return seen, ags


@given(graphs())
def test_closure_is_exactly_what_the_selection_reaches(graph):
    snap, start = graph
    got = closure(snap, start)
    assert (set(got.groups), set(got.address_groups)) == reachable(snap, start)
    for group in got.groups.values():  # closed: every reference is carried along
        for rule in group.rules.values():
            assert rule.remote_group is None or rule.remote_group in got.groups
            assert rule.remote_address_group is None or \
                rule.remote_address_group in got.address_groups
    assert closure(got, set(got.groups)) == got


@given(graphs(), st.sets(st.sampled_from(["x", "y", "z"])))
def test_tags_choose_exactly_the_tagged_groups(graph, tags):
    snap, _ = graph
    assert chosen_ids(snap, Selector(tags=tuple(tags))) == \
        {g.id for g in snap.groups.values() if set(g.tags) & tags}
