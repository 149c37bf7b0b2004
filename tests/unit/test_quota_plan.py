"""Quota arithmetic: the strict policy's invariant over random regions, usages, limits and
failing writes; the optimistic policy's documented overshoot; apportionment; limit layers."""
from hypothesis import assume, given
from hypothesis import strategies as st

from albatross.quota import plan
from albatross.quota.limits import effective_limits, remaining, validate_limit
from albatross.quota.plan import RegionQuota, limit_sum
from albatross.quota.resources import RESOURCES

limits = st.one_of(st.none(), st.just(-1), st.integers(0, 500))


@st.composite
def situations(draw):
    n = draw(st.integers(1, 6))
    regions = [RegionQuota(f"R{i}", draw(st.integers(0, 200)), draw(limits), draw(st.booleans()))
               for i in range(n)]
    g = draw(st.one_of(st.just(-1), st.integers(0, 1000)))
    failing = draw(st.sets(st.sampled_from([r.region for r in regions])))
    return g, regions, failing


def run_rebalance(g, regions, failing, policy):
    """Simulate the two-phase apply; yield the limit sum and the limits after every write."""
    current = {r.region: r.limit for r in regions}
    wanted = plan.targets(g, regions, policy)
    down, up = plan.split_writes(current, wanted)
    for region, new in down.items():
        if region not in failing:
            current[region] = new
        yield limit_sum(current.values()), dict(current)
    for region, new in plan.grant_increases(g, current, up, policy).items():
        if region not in failing:
            current[region] = new
        yield limit_sum(current.values()), dict(current)


@given(situations())
def test_strict_sum_never_exceeds_global_limit(situation):
    g, regions, failing = situation
    assume(g != -1)
    before = limit_sum(r.limit for r in regions)
    for total, _ in run_rebalance(g, regions, failing, plan.STRICT):
        assert total <= max(g, before)  # never grows past G, only shrinks towards it
        if before <= g:
            assert total <= g


@given(situations(), st.integers(0, 1000))
def test_strict_reaches_the_global_limit_when_every_write_works(situation, headroom):
    _g, regions, _ = situation
    regions = [RegionQuota(r.region, r.usage, r.limit, True) for r in regions]
    g = sum(r.usage for r in regions) + headroom  # drawn valid: no filtering
    steps = list(run_rebalance(g, regions, set(), plan.STRICT))
    final = dict(steps[-1][1]) if steps else {r.region: r.limit for r in regions}
    assert sum(final.values()) == g
    for r in regions:
        assert final[r.region] >= r.usage  # nobody is pushed below what it uses


@given(st.integers(1, 6), st.integers(0, 50), st.data())
def test_idle_regions_can_grow(n, per_region_room, data):
    usages = data.draw(st.lists(st.integers(0, 100), min_size=n, max_size=n))
    room = 2 * n * (per_region_room + 1)
    regions = [RegionQuota(f"R{i}", u, None) for i, u in enumerate(usages)]
    wanted = plan.targets(sum(usages) + room, regions)
    for r in regions:
        assert wanted[r.region] - r.usage >= room // (2 * n)  # Kingbird froze idle regions


@given(situations())
def test_unlimited_stays_unlimited(situation):
    _, regions, _ = situation
    wanted = plan.targets(-1, regions, plan.STRICT)
    assert set(wanted.values()) <= {-1}
    assert set(wanted) == {r.region for r in regions if r.reachable}


def test_optimistic_overshoot_is_bounded_as_documented():
    regions = [RegionQuota(f"R{i}", 2, 10) for i in range(4)]
    g = 20  # usage 8, headroom 12
    optimistic = plan.targets(g, regions, plan.OPTIMISTIC)
    strict = plan.targets(g, regions, plan.STRICT)
    assert sum(optimistic.values()) == 8 + 4 * 12  # U + N*H: may overshoot by (N-1)*H
    assert sum(strict.values()) == g


def test_over_limit_freezes_everyone_at_usage():
    regions = [RegionQuota("A", 7, 10), RegionQuota("B", 5, 10)]
    assert plan.targets(10, regions, plan.STRICT) == {"A": 7, "B": 5}
    assert plan.targets(0, [RegionQuota("A", 0, 10)], plan.STRICT) == {"A": 0}


@given(situations())
def test_over_the_global_limit_no_region_is_raised(situation):
    """The burst of issue 15 in Nova: a region whose usage passed its limit (the recheck's
    ERROR instances count) must not get the allowance another region gives back."""
    g, regions, failing = situation
    assume(g != -1 and plan.headroom(g, regions, plan.STRICT) < 0)
    for _total, limits in run_rebalance(g, regions, failing, plan.STRICT):
        assert all(plan.as_number(limits[r.region]) <= plan.as_number(r.limit)
                   for r in regions)


def test_a_region_over_its_own_limit_keeps_it_when_the_total_is_over():
    regions = [RegionQuota("A", 16, 2), RegionQuota("B", 16, 2), RegionQuota("C", 0, 2)]
    assert plan.targets(6, regions, plan.STRICT) == {"A": 2, "B": 2, "C": 0}


def test_unreachable_unlimited_region_blocks_growth_elsewhere():
    regions = [RegionQuota("A", 1, 5), RegionQuota("B", 0, -1, reachable=False)]
    assert plan.targets(10, regions, plan.STRICT) == {"A": 1}


def test_per_object_limits_are_copied_not_split():
    regions = [RegionQuota("A", 3, 10), RegionQuota("B", 0, 10)]
    assert plan.targets(128, regions, per_object=True) == {"A": 128, "B": 128}


@given(st.integers(0, 10_000), st.lists(st.floats(0, 1000), min_size=1, max_size=10))
def test_apportion_is_exact_and_fair(total, weights):
    shares = plan.apportion(total, weights)
    assert sum(shares) == total and min(shares) >= 0
    if sum(weights) > 0:
        for s, w in zip(shares, weights):
            assert abs(s - total * w / sum(weights)) < 1 + 1e-9


def test_limit_layers_and_validation():
    eff = effective_limits({"cores": 4}, {"cores": 8, "ram": 1024}, {"instances": 3})
    assert eff["cores"] == 4 and eff["ram"] == 1024 and eff["instances"] == 3
    assert eff["volumes"] == RESOURCES["volumes"].default
    assert validate_limit("cores", -1) is None and validate_limit("cores", 0) is None
    assert "unknown resource" in validate_limit("core", 1)
    assert "-1" in validate_limit("cores", -2)
    assert "integer" in validate_limit("cores", 1.5)
    assert "integer" in validate_limit("cores", True)
    assert remaining(-1, 50) is None and remaining(10, 4) == 6


@given(st.integers(-1, 1000), st.integers(0, 1000), st.one_of(st.none(), st.integers(0, 1000)),
       st.one_of(st.none(), st.floats(0, 100)))
def test_soft_threshold(hard, used, absolute, percent):
    from albatross.quota.soft import SoftLimit, is_over
    soft = SoftLimit(absolute, percent)
    t = soft.threshold(hard)
    if absolute is None and (percent is None or hard == -1):
        assert t is None and not is_over(soft, hard, used)
    else:
        assert is_over(soft, hard, used) == (used >= t)
        if absolute is not None:
            assert t <= absolute


def test_soft_transitions_fire_once():
    from albatross.quota.soft import transition
    states = [False, True, True, False, False, True]
    events = [transition(a, b) for a, b in zip(states, states[1:])]
    assert events == ["crossed", None, "cleared", None, "crossed"]
