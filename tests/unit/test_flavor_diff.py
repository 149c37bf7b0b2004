"""The pure flavor diff: create, nothing, update of what Nova lets change, conflict/replace of
what it does not. The property: applying the planned changes makes the target equal."""
import dataclasses
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from albatross.reconcilers.flavors import IMMUTABLE, diff_flavor
from albatross.regions.flavors import FlavorState, from_snapshot, snapshot

keys = st.sampled_from(["hw:cpu_policy", "hw:numa_nodes", "hw:mem_page_size",
                        "quota:disk_read_iops_sec", "trait:CUSTOM_GPU"])
specs = st.dictionaries(keys, st.sampled_from(["1", "2", "large", "dedicated", "required"]))
projects = st.frozensets(st.sampled_from(["p1", "p2", "p3", "p4"]))
descriptions = st.none() | st.sampled_from(["", "small", "gpu flavor"])


def flavor(**kw) -> FlavorState:
    base = dict(id="f-1", name="m1.test", ram=512, vcpus=1, disk=1)
    return FlavorState(**{**base, **kw})


def converge(target: FlavorState, source: FlavorState, details: dict) -> FlavorState:
    """What Nova holds after the reconciler wrote `details` (a model of apply)."""
    specs_now = {k: v for k, v in target.extra_specs.items()
                 if k not in details.get("extra_specs_unset", [])}
    specs_now.update({k: source.extra_specs[k] for k in details.get("extra_specs_set", [])})
    access = (target.access | set(details.get("access_added", []))) - \
        set(details.get("access_removed", []))
    description = source.description if details.get("description_updated") \
        else target.description
    return dataclasses.replace(target, extra_specs=specs_now, access=frozenset(access),
                               description=description)


@given(specs, specs, projects, projects, descriptions, descriptions, st.booleans(),
       st.booleans())
def test_planned_changes_make_the_target_equal(src_specs, dst_specs, src_access, dst_access,
                                               src_desc, dst_desc, public, force):
    source = flavor(extra_specs=src_specs, description=src_desc, is_public=public,
                    access=frozenset() if public else src_access)
    target = flavor(extra_specs=dst_specs, description=dst_desc, is_public=public,
                    access=frozenset() if public else dst_access)
    plan = diff_flavor(source, target, force)
    assert plan.action in ("none", "update")  # force never matters for mutable fields
    after = converge(target, source, plan.details)
    assert diff_flavor(source, after, force).action == "none"
    assert after.extra_specs == source.extra_specs and after.access == source.access
    if plan.action == "none":
        assert plan.details == {}


@given(specs, projects)
def test_absent_target_is_created_with_everything(src_specs, access):
    source = flavor(extra_specs=src_specs, is_public=False, access=access)
    plan = diff_flavor(source, None, False)
    assert plan.action == "create"
    assert plan.details.get("extra_specs_set", []) == sorted(src_specs)
    assert plan.details.get("access_added", []) == sorted(access)


@pytest.mark.parametrize("field,value", [
    ("id", "f-2"), ("name", "m1.other"), ("ram", 1024), ("vcpus", 2), ("disk", 20),
    ("swap", 512), ("ephemeral", 5), ("rxtx_factor", 2.0), ("is_public", False)])
def test_fixed_fields_conflict_unless_forced(field, value):
    source = flavor(rxtx_factor=1.0)
    target = dataclasses.replace(source, **{field: value})
    plan = diff_flavor(source, target, False)
    assert plan.action == "conflict"
    assert field in plan.reason and "force" in plan.reason and repr(value) in plan.reason
    forced = diff_flavor(source, target, True)
    assert forced.action == "replace" and forced.details["replaced_fields"] == [field]


def test_every_fixed_field_is_tested():
    assert set(IMMUTABLE) == {"id", "name", "ram", "vcpus", "disk", "swap", "ephemeral",
                              "rxtx_factor", "is_public"}


def test_rxtx_factor_missing_on_one_side_is_no_difference():
    assert diff_flavor(flavor(rxtx_factor=1.0), flavor(rxtx_factor=None), False).action == "none"
    assert diff_flavor(flavor(rxtx_factor=None), flavor(rxtx_factor=1.0), False).action == "none"


def test_empty_and_missing_description_are_the_same():
    assert diff_flavor(flavor(description=""), flavor(description=None), False).action == "none"


def test_update_details_name_what_changes():
    source = flavor(extra_specs={"a": "1", "b": "2"}, is_public=False,
                    access=frozenset({"p1", "p2"}), description="new")
    target = flavor(extra_specs={"a": "0", "c": "3"}, is_public=False,
                    access=frozenset({"p2", "p3"}), description="old")
    plan = diff_flavor(source, target, False)
    assert plan.action == "update"
    assert plan.details == {"description_updated": True, "extra_specs_set": ["a", "b"],
                            "extra_specs_unset": ["c"], "access_added": ["p1"],
                            "access_removed": ["p3"]}


@given(specs, projects, descriptions)
def test_snapshot_round_trips(src_specs, access, description):
    state = flavor(extra_specs=src_specs, access=access, is_public=False,
                   description=description, rxtx_factor=1.5)
    assert from_snapshot(json.loads(json.dumps(snapshot(state)))) == state  # as stored
