"""Soft limits: a warning threshold per resource, absolute or a percentage of the hard limit.
An event is recorded when usage crosses it upwards (and once more when it falls back), not on
every reading while it stays above."""
import math
from dataclasses import dataclass

from albatross.quota.resources import UNLIMITED


@dataclass(frozen=True)
class SoftLimit:
    absolute: int | None = None
    percent: float | None = None

    def threshold(self, hard_limit: int) -> int | None:
        """The usage at which to warn; None when there is nothing to warn about."""
        candidates = []
        if self.absolute is not None:
            candidates.append(self.absolute)
        if self.percent is not None and hard_limit != UNLIMITED:
            candidates.append(math.ceil(hard_limit * self.percent / 100))
        return min(candidates) if candidates else None


def is_over(soft: SoftLimit, hard_limit: int, used: int) -> bool:
    t = soft.threshold(hard_limit)
    return t is not None and used >= t


def transition(was_over: bool, now_over: bool) -> str | None:
    """"crossed" or "cleared" when the state changes, else None."""
    if now_over and not was_over:
        return "crossed"
    if was_over and not now_over:
        return "cleared"
    return None
