"""The shared backoff: doubling from the base, never above the cap, the upper half random."""
from hypothesis import given, strategies as st

from albatross.backoff import delay


@given(st.integers(1, 200), st.floats(0.01, 100), st.floats(0.01, 10_000),
       st.floats(0, 1, exclude_max=True))
def test_the_wait_is_in_the_upper_half_of_the_capped_doubling(attempt, base, cap, r):
    ceiling = min(cap, base * 2 ** min(attempt - 1, 60))
    wait = delay(attempt, base, cap, rand=lambda: r)
    assert ceiling / 2 <= wait <= ceiling <= cap


@given(st.integers(1, 60), st.floats(0.01, 100))
def test_uncapped_it_doubles(attempt, base):
    low = delay(attempt, base, float("inf"), rand=lambda: 0.0)
    assert delay(attempt + 1, base, float("inf"), rand=lambda: 0.0) == 2 * low


def test_no_failure_no_wait():
    assert delay(0, 2.0, 300) == 0.0 and delay(3, 0.0, 300) == 0.0
