"""Usage over the global limit, and when a notification is worth a rebalance (pure)."""
from hypothesis import given
from hypothesis import strategies as st

from albatross.quota import plan as quota_plan
from albatross.quota.overshoot import (ENFORCED, SHOWN_ONLY, UNLIMITED_MARK, enforcement,
                                       near_share, overshoots, worth_rebalancing)
from albatross.quota.resources import RESOURCES

REGIONS = ["R1", "R2", "R3"]


def hard(**values):
    return {name: values.get(name, -1) for name in RESOURCES}


def test_the_burst_of_the_issue_is_an_overshoot_with_its_culprits():
    over = overshoots(hard(network=6), {"R1": {"network": 4}, "R2": {"network": 4}},
                      {"R1": {"network": 3}, "R2": {"network": 3}})
    assert set(over) == {"network"}
    assert over["network"].over_by == 2 and over["network"].total_usage == 8
    assert over["network"].culprits() == ["R1", "R2"]


@given(st.integers(0, 50), st.lists(st.integers(0, 30), min_size=1, max_size=5))
def test_over_exactly_when_the_sum_passes_the_limit(limit, used):
    usage = {f"R{i}": {"port": u} for i, u in enumerate(used)}
    over = overshoots(hard(port=limit), usage, {})
    assert ("port" in over) == (sum(used) > limit)
    if "port" in over:
        assert over["port"].over_by == sum(used) - limit > 0


def test_unlimited_is_never_over_and_per_object_caps_count_per_region():
    usage = {"R1": {"key_pairs": 5, "port": 10**6}, "R2": {"key_pairs": 5}}
    assert overshoots(hard(key_pairs=5), usage, {}) == {}   # 5 per user, in each region
    assert set(overshoots(hard(key_pairs=4), usage, {})) == {"key_pairs"}


def test_enforcement_marks():
    assert enforcement(-1, True) == enforcement(-1, False) == UNLIMITED_MARK
    assert enforcement(10, True) == ENFORCED
    assert enforcement(10, False) == SHOWN_ONLY
    assert enforcement(0, False) == SHOWN_ONLY


@given(st.integers(0, 1000), st.integers(0, 1000), st.floats(0, 100))
def test_near_share_is_monotonic_in_usage(limit, used, percent):
    used = min(used, limit)
    if near_share(used, limit, percent):
        assert near_share(min(limit, used + 1), limit, percent)
    assert near_share(limit, limit, percent)        # no room left is always near
    assert not near_share(used, -1, percent) and not near_share(used, None, percent)


def test_a_region_near_its_share_while_another_idles_is_worth_a_rebalance():
    usage = {"R1": {"network": 5}, "R2": {"network": 0}}
    limits = {"R1": {"network": 5}, "R2": {"network": 5}}
    assert worth_rebalancing(hard(network=10), usage, limits, 80) == ["network"]
    # once shares follow usage, the same readings call for nothing
    limits = {"R1": {"network": 8}, "R2": {"network": 2}}
    assert worth_rebalancing(hard(network=10), usage, limits, 80) == []


def test_nobody_near_nothing_to_do():
    usage = {"R1": {"network": 1}, "R2": {"network": 0}}
    limits = {"R1": {"network": 5}, "R2": {"network": 5}}
    assert worth_rebalancing(hard(network=10), usage, limits, 80) == []


def test_an_overshoot_is_acted_on_once_per_total_and_when_it_clears():
    usage = {"R1": {"network": 4}, "R2": {"network": 4}}
    clamped = {"R1": {"network": 3}, "R2": {"network": 3}}
    assert worth_rebalancing(hard(network=6), usage, clamped, 80) == ["network"]
    assert worth_rebalancing(hard(network=6), usage, clamped, 80, {"network": 8}) == []
    # a region still has room: clamp it, even though the total is on record
    room = {"R1": {"network": 3}, "R2": {"network": 6}}
    assert worth_rebalancing(hard(network=6), usage, room, 80, {"network": 8}) == ["network"]
    back = {"R1": {"network": 2}, "R2": {"network": 3}}
    assert worth_rebalancing(hard(network=6), back, clamped, 80, {"network": 8}) == ["network"]


@given(st.integers(0, 40), st.lists(st.tuples(st.integers(0, 20), st.integers(0, 20)),
                                    min_size=1, max_size=4), st.floats(0, 100))
def test_whatever_is_over_is_worth_a_rebalance_unless_recorded_and_clamped(limit, regions,
                                                                           percent):
    usage = {f"R{i}": {"volumes": u} for i, (u, _l) in enumerate(regions)}
    limits = {f"R{i}": {"volumes": lim} for i, (_u, lim) in enumerate(regions)}
    total = sum(u for u, _l in regions)
    why = worth_rebalancing(hard(volumes=limit), usage, limits, percent)
    if total > limit:
        assert why == ["volumes"]
        clamped = all(lim <= u for u, lim in regions)
        again = worth_rebalancing(hard(volumes=limit), usage, limits, percent,
                                  {"volumes": total})
        assert again == ([] if clamped else ["volumes"])


@given(st.integers(1, 40), st.lists(st.integers(0, 20), min_size=1, max_size=4))
def test_after_a_rebalance_to_the_plan_nothing_more_is_asked(limit, used):
    """Level-triggered and quiet: readings that already match the plan ask for nothing."""
    regions = [quota_plan.RegionQuota(f"R{i}", u, None) for i, u in enumerate(used)]
    if sum(used) > limit:
        return
    wanted = quota_plan.targets(limit, regions)
    usage = {f"R{i}": {"volumes": u} for i, u in enumerate(used)}
    limits = {r: {"volumes": v} for r, v in wanted.items()}
    assert worth_rebalancing(hard(volumes=limit), usage, limits, 80) == []
