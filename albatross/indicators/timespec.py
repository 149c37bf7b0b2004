"""Durations ("90s", "5m", "2d") and instants (ISO 8601) as the API, the CLI and the config
write them. Durations are whole seconds: every step and retention is one."""
import datetime
import re

UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
_DURATION = re.compile(r"^\s*(\d+)\s*([smhdw]?)\s*$")


def parse_duration(text: str) -> int:
    """"5m" -> 300; a bare number is seconds. ValueError for anything else, or zero."""
    m = _DURATION.match(str(text))
    if not m:
        raise ValueError(f"{text!r} is not a duration like 30s, 5m, 1h or 2d")
    seconds = int(m.group(1)) * UNITS[m.group(2) or "s"]
    if seconds <= 0:
        raise ValueError(f"{text!r}: a duration must be longer than 0 seconds")
    return seconds


def format_duration(seconds: int) -> str:
    """The largest whole unit: 300 -> "5m", 90 -> "90s"."""
    for unit in ("w", "d", "h", "m"):
        if seconds % UNITS[unit] == 0:
            return f"{seconds // UNITS[unit]}{unit}"
    return f"{seconds}s"


def parse_time(text: str) -> datetime.datetime:
    """An ISO 8601 instant as naive UTC (how the database stores time); without an offset it
    is taken as UTC."""
    try:
        value = datetime.datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"{text!r} is not an ISO 8601 time like 2025-01-31T12:00:00Z")
    if value.tzinfo is not None:
        value = value.astimezone(datetime.UTC).replace(tzinfo=None)
    return value


def iso(value: datetime.datetime | None) -> str | None:
    return value.isoformat(timespec="seconds") + "Z" if value else None


def parse_rollups(specs: list[str]) -> list[tuple[int, int]]:
    """["5m:30d", "1h:400d"] -> [(300, 2592000), (3600, 34560000)]: (step, retention).
    Each step must be a multiple of the one before (a coarse bucket is made of whole finer
    ones) and each retention longer than the one before (a coarse level outlives the finer)."""
    out: list[tuple[int, int]] = []
    for spec in specs:
        step_text, sep, keep_text = str(spec).partition(":")
        if not sep:
            raise ValueError(f"{spec!r} is not STEP:RETENTION like 5m:30d")
        step, keep = parse_duration(step_text), parse_duration(keep_text)
        if keep < step:
            raise ValueError(f"{spec!r}: the retention is shorter than the step")
        if out and (step <= out[-1][0] or step % out[-1][0]):
            raise ValueError(f"{spec!r}: each step must be a multiple of the one before "
                             f"({format_duration(out[-1][0])})")
        if out and keep <= out[-1][1]:
            raise ValueError(f"{spec!r}: each retention must be longer than the one before")
        out.append((step, keep))
    return out
