"""[indicators] parsed once: the collection interval, raw retention and rollup levels."""
from dataclasses import dataclass

from albatross.indicators.timespec import parse_duration, parse_rollups


@dataclass(frozen=True)
class Settings:
    interval: int
    raw_retention: int
    levels: list[tuple[int, int]]


def settings(conf) -> Settings:
    """[indicators] parsed; ValueError naming the option when it is malformed, so that a
    bad value stops the process at start rather than the first round."""
    c = conf.indicators
    try:
        raw = parse_duration(c.raw_retention)
    except ValueError as exc:
        raise ValueError(f"[indicators] raw_retention: {exc}")
    try:
        levels = parse_rollups(c.rollups)
    except ValueError as exc:
        raise ValueError(f"[indicators] rollups: {exc}")
    return Settings(c.collect_interval, raw, levels)
