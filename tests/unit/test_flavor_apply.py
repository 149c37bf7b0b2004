"""FlavorReconciler.apply against a small model of Nova's flavor API: whatever the target
holds, one reconcile makes it equal to the source (or refuses), and a race on create
(409) converges instead of failing."""
import dataclasses
from types import SimpleNamespace

from hypothesis import given
from hypothesis import strategies as st
from openstack import exceptions as sdk_exc

from albatross.reconcilers.base import Conflict, TaskContext
from albatross.reconcilers.flavors import FlavorReconciler, diff_flavor
from albatross.regions.flavors import FlavorState, read_target_flavor, snapshot


class FakeNova:
    """Flavors by id, unique names, immutable but for description, specs and access."""

    def __init__(self, *states: FlavorState):
        self.flavors_by_id = {s.id: s for s in states}
        self.writes = 0

    def _get(self, fid) -> FlavorState:
        if fid not in self.flavors_by_id:
            raise sdk_exc.NotFoundException("no such flavor")
        return self.flavors_by_id[fid]

    def _put(self, fid, **changes):
        self.writes += 1
        self.flavors_by_id[fid] = dataclasses.replace(self._get(fid), **changes)

    def get_flavor(self, fid, get_extra_specs=False):
        return self._get(fid)

    def flavors(self):
        return list(self.flavors_by_id.values())

    def get_flavor_access(self, flavor):
        return [{"tenant_id": p} for p in flavor.access]

    def create_flavor(self, **attrs):
        if attrs["id"] in self.flavors_by_id or \
                any(f.name == attrs["name"] for f in self.flavors_by_id.values()):
            raise sdk_exc.ConflictException("exists")
        self.writes += 1
        self.flavors_by_id[attrs["id"]] = FlavorState(**attrs)

    def delete_flavor(self, fid, ignore_missing=True):
        self.writes += 1
        self.flavors_by_id.pop(fid, None)

    def update_flavor(self, fid, description):
        self._put(fid, description=description)

    def create_flavor_extra_specs(self, fid, specs):
        self._put(fid, extra_specs={**self._get(fid).extra_specs, **specs})

    def delete_flavor_extra_specs_property(self, fid, key, ignore_missing=True):
        self._put(fid, extra_specs={k: v for k, v in self._get(fid).extra_specs.items()
                                    if k != key})

    def flavor_add_tenant_access(self, fid, project):
        self._put(fid, access=self._get(fid).access | {project})

    def flavor_remove_tenant_access(self, fid, project):
        self._put(fid, access=self._get(fid).access - {project})


def context(nova: FakeNova, source: FlavorState, force: bool) -> TaskContext:
    registry = SimpleNamespace(connection=lambda region: SimpleNamespace(compute=nova))
    return TaskContext(registry, source.name, "R1", "R2", force, snapshot(source), "p", "u",
                       "t")


def state(private: bool, **kw) -> FlavorState:
    base = dict(id="f-1", name="m1.test", ram=512, vcpus=1, disk=1, rxtx_factor=1.0,
                is_public=not private)
    return FlavorState(**{**base, **kw})


specs = st.dictionaries(st.sampled_from(["a", "b", "c"]), st.sampled_from(["1", "2"]))
access = st.frozensets(st.sampled_from(["p1", "p2", "p3"]))


@given(specs, specs, access, access, st.sampled_from([None, "x", "y"]),
       st.sampled_from([512, 1024]), st.sampled_from(["f-1", "f-2"]), st.booleans(),
       st.booleans())
def test_one_reconcile_makes_the_target_equal(s_specs, t_specs, s_access, t_access, desc, ram,
                                              target_id, exists, force):
    source = state(True, extra_specs=s_specs, access=s_access, description="x")
    target = state(True, id=target_id, extra_specs=t_specs, access=t_access,
                   description=desc, ram=ram)
    nova = FakeNova(*([target] if exists else []))
    ctx = context(nova, source, force)
    refused = exists and not force and (ram != source.ram or target_id != source.id)
    try:
        outcome = FlavorReconciler().reconcile(ctx)
    except Conflict:
        assert refused
        assert nova.writes == 0
        return
    assert not refused
    assert read_target_flavor(SimpleNamespace(compute=nova), source.id, source.name) == source
    assert outcome.written == (nova.writes > 0)
    again = FlavorReconciler().reconcile(ctx)
    assert (again.action, again.written) == ("none", False)


def test_a_flavor_created_meanwhile_is_adopted_and_completed():
    source = state(True, extra_specs={"a": "1"}, access=frozenset({"p1"}))
    nova = FakeNova()
    plan = diff_flavor(source, None, False)  # planned while the target was empty
    nova.flavors_by_id[source.id] = dataclasses.replace(source, extra_specs={},
                                                        access=frozenset())
    outcome = FlavorReconciler().apply(plan, context(nova, source, False))
    assert outcome.action == "update" and outcome.written
    assert outcome.details == {"extra_specs_set": ["a"], "access_added": ["p1"]}
    assert nova.flavors_by_id[source.id] == source
