"""The security group plan, carried out on an in-memory Neutron region the way the reconciler
does it (phase 1 creates, re-plan, phase 2 fixes): it converges, copies every rule, leaves what
Albatross does not own, never creates a group twice nor `default`. Then examples."""
import itertools
from collections import Counter
from dataclasses import replace

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from albatross.secgroups.model import AddressGroup, Group, Rule, Snapshot
from albatross.secgroups.plan import NEW, Mapped, Mappings, plan_region

NAMES = ["web", "db", "app"]
PREFIXES = {"IPv4": ["10.0.0.0/8", "192.168.1.0/24", "0.0.0.0/0"],
            "IPv6": ["2001:db8::/32", "::/0"]}
ALL_ADDRESSES = {"IPv4": "0.0.0.0/0", "IPv6": "::/0"}
ADDRESSES = ["10.1.0.0/16", "10.2.0.5/32", "2001:db8:1::/48"]


def neutron_rules(gid: str, default: bool = False) -> list[Rule]:
    """What Neutron puts in a new group (egress anywhere), and in a default group."""
    return [Rule(d, e, remote_group=gid if d == "ingress" else None)
            for d in ("egress", "ingress")[:1 + default] for e in ("IPv4", "IPv6")]


def neutron_key(rule: Rule) -> Rule:
    """Neutron refuses a rule equal to one the group has on this key (409): description is
    ignored and an all-addresses prefix is the same as none."""
    prefix = None if rule.remote_ip_prefix in ALL_ADDRESSES.values() else rule.remote_ip_prefix
    return replace(rule, description="", remote_ip_prefix=prefix)


def refs(rule: Rule) -> tuple:
    return tuple(r for r in (rule.remote_group, rule.remote_address_group) if r)


class Neutron:
    """One project in one target region plus Albatross's mapping table for it; `reconcile` and
    `apply` follow SecurityGroupReconciler._reconcile and _Writer step by step."""

    def __init__(self, snapshot: Snapshot, mappings: Mappings):
        self.groups = {gid: replace(g, rules=dict(g.rules)) for gid, g in snapshot.groups.items()}
        self.ags = {aid: replace(a) for aid, a in snapshot.address_groups.items()}
        self.mappings = Mappings(dict(mappings.groups), dict(mappings.address_groups))
        self.ids = (f"n-{i}" for i in itertools.count())
        self.creates = Counter()  # source id -> objects created for it

    def plan(self, source: Snapshot):
        return plan_region(source, Snapshot(
            {gid: replace(g, rules=dict(g.rules)) for gid, g in self.groups.items()},
            {aid: replace(a) for aid, a in self.ags.items()}), self.mappings)

    def reconcile(self, source: Snapshot):  # SecurityGroupReconciler._reconcile, repairing
        first = self.plan(source)
        if first.writes or first.resolution.adopted or first.unmap_groups:
            self.apply(first, source)
            if first.create_groups or first.create_address_groups:
                self.apply(self.plan(source), source)
        return first

    def _create_rules(self, tid: str, rules: list[Rule]) -> list[str]:
        """regions.secgroups.create_rules: a bulk call, on a duplicate (409) one call per rule
        where a duplicate counts as done; either way the duplicates are not made."""
        group, made = self.groups[tid], []
        for rule in rules:
            assert all(r in self.groups or r in self.ags for r in refs(rule)), rule
            if neutron_key(rule) not in {neutron_key(r) for r in group.rules.values()}:
                made.append(next(self.ids))
                group.rules[made[-1]] = rule
        return made

    def apply(self, rp, source: Snapshot) -> None:
        res, before = rp.resolution, dict(self.mappings.groups)
        for sid in res.adopted:
            if sid in res.groups:
                self.mappings.groups[sid] = Mapped(res.groups[sid], False)
            else:
                self.mappings.address_groups[sid] = Mapped(res.address_groups[sid], False)
        for sid in rp.create_address_groups:
            a, tid = source.address_groups[sid], next(self.ids)
            self.ags[tid] = replace(a, id=tid)
            self.mappings.address_groups[sid] = Mapped(tid, True)
            self.creates[sid] += 1
        for sid in rp.create_groups:
            g, tid = source.groups[sid], next(self.ids)
            assert not g.is_default, "Neutron refuses to create a second default group"
            self.groups[tid] = Group(tid, g.name, g.description,
                                     True if g.stateful is None else g.stateful,
                                     tuple(sorted(g.tags or ())), {})
            self._create_rules(tid, neutron_rules(tid))
            self.mappings.groups[sid] = Mapped(tid, True)
            self.creates[sid] += 1
        if rp.create_groups or rp.create_address_groups:
            return  # phase 2 comes from a fresh plan
        for _sid, tid, changes in rp.update_address_groups:
            self.ags[tid] = replace(self.ags[tid], **changes)
        for tid, addresses in rp.add_addresses:
            self.ags[tid].addresses = tuple(sorted({*self.ags[tid].addresses, *addresses}))
        for tid, addresses in rp.remove_addresses:
            self.ags[tid].addresses = tuple(sorted(set(self.ags[tid].addresses) - {*addresses}))
        for _sid, tid, changes in rp.update_groups:
            assert not (self.groups[tid].is_default and "name" in changes)
            changes = {k: tuple(sorted(v)) if k == "tags" else v for k, v in changes.items()}
            self.groups[tid] = replace(self.groups[tid], **changes)
        owned = {sid: set(m.owned_rules) for sid, m in before.items()}
        touched = set()
        for sid, rid in rp.remove_rules:
            for g in self.groups.values():
                g.rules.pop(rid, None)
            owned.setdefault(sid, set()).discard(rid)
            touched.add(sid)
        for sid, rule in rp.add_rules:  # one bulk call per group: the same, duplicates aside
            assert not any(r.startswith(NEW) for r in refs(rule)), "placeholder in phase 2"
            owned.setdefault(sid, set()).update(self._create_rules(res.groups[sid], [rule]))
            touched.add(sid)
        for sid in touched:
            m, tid = before.get(sid), res.groups[sid]
            self.mappings.groups[sid] = Mapped(tid, m is not None and m.created
                                               and m.target_id == tid, frozenset(owned[sid]))
        for sid, tid in rp.delete_groups:
            del self.groups[tid]
            for g in self.groups.values():  # rules allowing the deleted group go with it
                g.rules = {k: r for k, r in g.rules.items() if r.remote_group != tid}
            self.mappings.groups.pop(sid, None)
        for sid in rp.unmap_groups:
            self.mappings.groups.pop(sid, None)


@st.composite
def rules(draw, group_ids, ag_ids):
    ethertype = draw(st.sampled_from(["IPv4", "IPv6"]))
    protocol = draw(st.sampled_from([None, "tcp", "udp", "icmp"]))
    lo = draw(st.none() | st.integers(1, 65530)) if protocol in ("tcp", "udp") else None
    hi = None if lo is None else draw(st.integers(lo, lo + 5))
    remote = draw(st.sampled_from(["any", "prefix", "group", "group"] + ["ag"] * bool(ag_ids)))
    return Rule(draw(st.sampled_from(["ingress", "egress"])), ethertype, protocol, lo, hi,
                draw(st.sampled_from(PREFIXES[ethertype])) if remote == "prefix" else None,
                draw(st.sampled_from(group_ids)) if remote == "group" else None,
                draw(st.sampled_from(ag_ids)) if remote == "ag" else None,
                draw(st.sampled_from(["", "ssh", "from the balancer"])))


def unique(rule_list, prefix: str) -> dict[str, Rule]:
    """Rule ids for rules Neutron would accept together (no two on the same key)."""
    first = {}
    for rule in rule_list:
        first.setdefault(neutron_key(rule), rule)
    return {f"{prefix}-r{i}": rule for i, rule in enumerate(first.values())}


@st.composite
def sources(draw):
    names = draw(st.lists(st.sampled_from(NAMES), min_size=1, max_size=4))
    gids = [f"s-g{i}" for i in range(len(names))]
    if draw(st.booleans()):
        names, gids = names + ["default"], gids + ["s-default"]
    ags = {f"s-a{i}": AddressGroup(f"s-a{i}", f"ag{i}", "",
                                   tuple(sorted(draw(st.sets(st.sampled_from(ADDRESSES))))))
           for i in range(draw(st.integers(0, 2)))}
    groups = {}
    for gid, name in zip(gids, names):
        base = neutron_rules(gid, name == "default") if name == "default" or \
            draw(st.booleans()) else []
        extra = draw(st.lists(rules(gids, sorted(ags)), max_size=4))
        groups[gid] = Group(gid, name, draw(st.sampled_from(["", "web tier"])),
                            draw(st.booleans()),
                            tuple(sorted(draw(st.sets(st.sampled_from(["prod", "blue"]))))),
                            unique(base + extra, gid))
    return Snapshot(groups, ags)


def variant(draw, rule: Rule) -> Rule:
    """A rule Neutron takes for `rule`: another description, or no prefix for all addresses."""
    if rule.remote_ip_prefix == ALL_ADDRESSES[rule.ethertype] and draw(st.booleans()):
        return replace(rule, remote_ip_prefix=None)
    return replace(rule, description=rule.description + " (by hand)")


@st.composite
def situations(draw):
    """A source and a target region made of: nothing, partial copies (maybe renamed, with rules
    added by hand), stale mappings, a `default` with extra rules, same-name groups to adopt.
    Also returns the rule ids present at the start that Albatross does not own."""
    source = draw(sources())
    groups, ags, mg, ma, corr, foreign = {}, {}, {}, {}, {}, {}
    for sid, a in source.address_groups.items():
        how = draw(st.sampled_from(["absent", "copy", "same_name", "stale"]))
        if how == "stale":
            ma[sid] = Mapped("t-gone", True)
        elif how != "absent":
            kept = draw(st.sets(st.sampled_from(a.addresses))) if a.addresses else set()
            extra = draw(st.sets(st.sampled_from(ADDRESSES), max_size=1))
            corr[sid] = tid = f"t-{sid}"
            ags[tid] = AddressGroup(tid, a.name, "old", tuple(sorted(kept | extra)))
            ma.update({sid: Mapped(tid, True)} if how == "copy" else {})
    groups["t-default"] = Group("t-default", "default", "Default security group")
    hows, adoptable = {}, set(NAMES)
    for sid, g in source.groups.items():
        if g.is_default:
            how, corr[sid] = "default", "t-default"
        else:
            options = ["absent", "copy", "renamed", "stale"] + \
                (["same_name"] if g.name in adoptable else [])
            how = draw(st.sampled_from(options))
            if how == "stale":
                mg[sid] = Mapped("t-gone", True)
            elif how != "absent":
                tid, adoptable = f"t-{sid}", adoptable - {g.name}
                name = g.name + "-old" if how == "renamed" else g.name
                groups[tid] = Group(tid, name, "by hand", draw(st.booleans()), (), {})
                corr[sid] = tid
                mg.update({} if how == "same_name" else {sid: Mapped(tid, True)})
        hows[sid] = how
    if adoptable and draw(st.booleans()):
        groups["t-other"] = Group("t-other", draw(st.sampled_from(sorted(adoptable))), "")
    if "t-default" not in corr.values():
        groups["t-default"].rules = unique(neutron_rules("t-default", True), "t-default")
    for sid, how in hows.items():
        if sid not in corr:
            continue
        tid, src = corr[sid], source.groups[sid]
        copies, by_hand = [], draw(st.lists(rules(list(groups), sorted(ags)), max_size=2))
        for r in src.rules.values():
            if all(x in corr for x in refs(r)):
                how_copied = draw(st.sampled_from(["no", "yes", "by hand"]))
                r = r.translated(corr, corr)
                copies += [r] if how_copied == "yes" else []
                by_hand += [variant(draw, r)] if how_copied == "by hand" else []
        base = [] if how == "same_name" else neutron_rules(tid, how == "default")
        groups[tid].rules.update(unique(base + by_hand + copies, tid))
        if how == "default" and draw(st.booleans()):  # adopted before: a rule or two were ours
            ours = frozenset(rid for rid, r in groups[tid].rules.items()
                             if r in copies and draw(st.booleans()))
            mg[sid] = Mapped(tid, False, ours)
        if how in ("default", "same_name"):
            foreign[tid] = set(groups[tid].rules) - (mg[sid].owned_rules if sid in mg else set())
    return source, Snapshot(groups, ags), Mappings(mg, ma), foreign


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(situations())
def test_two_phase_apply_converges_without_duplicates(situation):
    source, start, mappings, foreign = situation
    region = Neutron(start, mappings)
    for _ in range(2):
        region.reconcile(source)
        if region.plan(source).writes == 0:
            break
    final = region.plan(source)
    assert final.writes == 0 and not final.resolution.adopted, final
    # every source object has exactly one copy, made only when none existed, and only once
    gmap = {sid: region.mappings.groups[sid].target_id for sid in source.groups}
    amap = {sid: region.mappings.address_groups[sid].target_id for sid in source.address_groups}
    assert len(set(gmap.values())) == len(gmap) and set(gmap.values()) <= set(region.groups)
    assert set(amap.values()) <= set(region.ags)
    existed = {*start.groups, *start.address_groups}
    for sid in [*source.groups, *source.address_groups]:
        assert region.creates[sid] == (0 if {**gmap, **amap}[sid] in existed else 1), sid
    names = Counter(g.name for g in region.groups.values())
    untouched = Counter(g.name for g in start.groups.values() if g.id not in gmap.values())
    assert names == Counter(g.name for g in source.groups.values()) + untouched
    assert names["default"] == 1
    for sid, a in source.address_groups.items():
        assert region.ags[amap[sid]].addresses == a.addresses
    for sid, src in source.groups.items():
        want = {r.translated(gmap, amap) for r in src.rules.values()}
        have, m = region.groups[gmap[sid]].rules, region.mappings.groups[sid]
        left = foreign.get(m.target_id, set())
        before = mappings.groups.get(sid)
        assert m.created == (m.target_id not in start.groups or before is not None
                             and before.created and before.target_id == m.target_id)
        assert left <= set(have), "a rule Albatross did not add was removed"
        assert {r for rid, r in have.items() if rid not in left} <= want
        stand_ins = {neutron_key(have[rid]) for rid in left}
        assert {r for r in want if r not in have.values()} <= {
            r for r in want if neutron_key(r) in stand_ins}
        if m.created:
            assert sorted(have.values(), key=repr) == sorted(want, key=repr)
        g = region.groups[gmap[sid]]
        assert (g.name, g.tags, g.stateful) == (src.name, src.tags, src.stateful)


def snap(*groups, ags=()) -> Snapshot:
    return Snapshot({g.id: g for g in groups}, {a.id: a for a in ags})


SSH = Rule("ingress", "IPv4", "tcp", 22, 22, "10.0.0.0/8")
HTTP = Rule("ingress", "IPv4", "tcp", 80, 80, "0.0.0.0/0")


def test_drift_kinds_missing_different_extra_deleted():
    source = snap(Group("s1", "web", "web tier", True, ("prod",), {"r1": SSH, "r2": HTTP}),
                  Group("s2", "db", rules={"r3": SSH}))
    target = snap(Group("t1", "web", "old", True, (), {"x1": SSH, "x2": Rule("egress", "IPv4")}),
                  Group("t9", "gone"))
    mappings = Mappings({"s1": Mapped("t1", True), "s9": Mapped("t9", True)})
    plan = plan_region(source, target, mappings, deleted_in_source={"s9": Mapped("t9", True)})
    assert plan.create_groups == ["s2"]
    assert plan.update_groups == [("s1", "t1", {"description": "web tier", "tags": ["prod"]})]
    assert plan.add_rules == [("s1", HTTP), ("s2", SSH)] and plan.remove_rules == [("s1", "x2")]
    assert plan.delete_groups == [] and plan.writes == 5  # propagate_deletes is off
    assert {(d.kind, d.resource_type, d.repairable) for d in plan.drift} == {
        ("missing", "security_group", True), ("missing", "rule", True),
        ("different", "security_group", True), ("extra", "rule", True),
        ("deleted", "security_group", False)}


def test_only_groups_albatross_created_are_deleted():
    target = snap(Group("t1", "made"), Group("t2", "adopted"))
    gone = {"s1": Mapped("t1", True), "s2": Mapped("t2", False), "s3": Mapped("t3", True)}
    mappings = Mappings(dict(gone))
    plan = plan_region(Snapshot(), target, mappings, deleted_in_source=gone,
                       propagate_deletes=True)
    assert plan.delete_groups == [("s1", "t1")] and plan.unmap_groups == ["s2"]
    assert [(d.name, d.repairable) for d in plan.drift] == [("made", True), ("adopted", False)]
    still = plan_region(snap(Group("s1", "made")), target, mappings, deleted_in_source=gone,
                        propagate_deletes=True)  # a stale list never deletes a kept source
    assert [sid for sid, _ in still.delete_groups] == []
    kept = plan_region(Snapshot(), target, mappings, deleted_in_source=gone)
    assert kept.delete_groups == [] and kept.unmap_groups == [] and kept.writes == 0
    assert all(d.kind == "deleted" and not d.repairable for d in kept.drift)


def test_ambiguous_name_is_a_conflict_and_rules_needing_it_remove_nothing():
    source = snap(Group("s1", "web", rules={"r1": SSH}),
                  Group("s2", "app", rules={"r2": HTTP, "r3": Rule("ingress", "IPv4",
                                                                   remote_group="s1")}))
    target = snap(Group("t1", "web"), Group("t2", "web"),
                  Group("t3", "app", rules={"x1": Rule("egress", "IPv4"),
                                            "x2": Rule("ingress", "IPv4", remote_group="t1")}))
    plan = plan_region(source, target, Mappings({"s2": Mapped("t3", True)}))
    assert "s1" in plan.resolution.conflicts and plan.create_groups == []
    web = [d for d in plan.drift if d.name == "web"]
    assert [(d.kind, d.repairable) for d in web] == [("different", False)]
    assert "2 unmapped" in web[0].detail
    # app's rule needing web is not added; app's other rule is, and nothing is removed from it
    assert plan.add_rules == [("s2", HTTP)] and plan.remove_rules == [] and plan.writes == 1
    extra = [d for d in plan.drift if d.kind == "extra"]
    assert len(extra) == 2 and all("unresolved" in d.detail and not d.repairable for d in extra)


def test_default_is_merged_into_never_created():
    source = snap(Group("s0", "default", rules={"r": SSH}))
    plan = plan_region(source, snap(Group("t1", "web")), Mappings())
    assert plan.create_groups == [] and "s0" in plan.resolution.conflicts
    assert not plan.drift[0].repairable
    # a source default made again (new id) is still merged: the old one's mapping is no block
    old = {"s-old": Mapped("t0", False)}
    plan = plan_region(source, snap(Group("t0", "default")), Mappings(dict(old)),
                       deleted_in_source=old)
    assert plan.resolution.groups == {"s0": "t0"} and not plan.resolution.conflicts
    assert plan.add_rules == [("s0", SSH)] and plan.delete_groups == []


def test_older_api_without_stateful_or_tags_is_not_a_change():
    source = snap(Group("s1", "web", "", False, ("prod", "blue"), {"r": SSH}))
    target = snap(Group("t1", "web", "", None, None, {"x": SSH}))
    mappings = Mappings({"s1": Mapped("t1", True)})
    plan = plan_region(source, target, mappings)
    assert plan.writes == 0 and plan.drift == []
    region = Neutron(target, mappings)
    for _ in range(3):
        region.reconcile(source)
    assert region.groups["t1"].stateful is None and region.groups["t1"].tags is None


def test_adopted_group_keeps_rules_albatross_did_not_add():
    source = snap(Group("s1", "web", rules={"r1": SSH}))
    target = snap(Group("t1", "web", rules={"x1": HTTP, "x2": Rule("egress", "IPv4")}))
    region = Neutron(target, Mappings())
    first = region.reconcile(source)
    assert first.resolution.adopted == {"s1": "name"} and first.remove_rules == []
    m = region.mappings.groups["s1"]
    assert not m.created and len(m.owned_rules) == 1
    assert set(region.groups["t1"].rules) == {"x1", "x2", *m.owned_rules}
    # the source drops the rule: Albatross takes back its own rule, and only that one
    region.reconcile(snap(Group("s1", "web")))
    assert set(region.groups["t1"].rules) == {"x1", "x2"}


def test_rule_neutron_calls_a_duplicate_is_not_added_forever():
    """A hand-made rule differing only by description (or 0.0.0.0/0 against no prefix) makes
    Neutron refuse the source's rule as a duplicate: it stands in for it."""
    source = snap(Group("s1", "web", rules={"r1": SSH, "r2": HTTP}))
    target = snap(Group("t1", "web", rules={"x1": replace(SSH, description="mine"),
                                            "x2": replace(HTTP, remote_ip_prefix=None)}))
    region = Neutron(target, Mappings())
    region.reconcile(source)
    plan = region.plan(source)
    assert plan.writes == 0 and set(region.groups["t1"].rules) == {"x1", "x2"}
    assert [(d.kind, d.repairable) for d in plan.drift] == [("extra", False)] * 2
    assert "10.0.0.0/8 'mine' stands in for the source's ingress IPv4 tcp 22-22 10.0.0.0/8 ''" \
        in " ".join(d.detail for d in plan.drift)  # extra: left alone, not a failed task
    # in a group Albatross created the rule is replaced
    created = Neutron(snap(Group("t1", "web", rules={"x1": replace(SSH, description="x")})),
                      Mappings({"s1": Mapped("t1", True)}))
    created.reconcile(source)
    assert set(created.groups["t1"].rules.values()) == {SSH, HTTP}
    assert created.plan(source).writes == 0
