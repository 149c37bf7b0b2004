"""The one backoff of every retried piece of work (job tasks and controllers' items): doubling
from a base, capped, with equal jitter (half fixed, half random), so items that failed together
(a region went down under many of them) do not all come back at the same moment."""
import random


def delay(attempt: int, base: float, cap: float, rand=random.random) -> float:
    """Seconds to wait after the `attempt`-th failure (1 = the first): base * 2^(attempt-1),
    at most `cap`, the upper half of it random."""
    if attempt < 1 or base <= 0:
        return 0.0
    ceiling = min(cap, base * 2.0 ** min(attempt - 1, 60))
    return ceiling / 2 + rand() * ceiling / 2
