"""A batch of log lines as shippers send them: JSON lines (one object per line: fluent-bit's
json_lines, vector's newline-delimited JSON, `albatross agent`) or one JSON array. Each line
is checked on its own, so one malformed line costs only itself; errors name the line (JSON
lines: the line number in the body, blank lines counted; an array: the element, from 1)."""
import dataclasses
import datetime
import json

from albatross.db.logs import LEVELS
from albatross.logs import oslo, shippers

MAX_MESSAGE = 32768
MAX_EXTRA = 4096
LEVEL_ALIASES = {"WARN": "WARNING", "FATAL": "CRITICAL", "CRIT": "CRITICAL", "ERR": "ERROR",
                 "NOTICE": "INFO", "AUDIT": "INFO"}
# when a shipper read the line (vector: timestamp, fluent-bit: date): a fallback only, after
# an explicit "time" and the time written in an oslo.log line
READ_TIME_FIELDS = ("timestamp", "@timestamp", "date")
_STRINGS = {"region": 128, "service": 64, "host": 255}
_KNOWN = {"message", "level", "logger", "pid", "request_id", "request_ids", "raw", "key",
          "time", *_STRINGS, *READ_TIME_FIELDS}
_FUTURE = datetime.timedelta(days=1)


class BatchError(ValueError):
    """The body as a whole is unusable (nothing stored)."""


class LineError(ValueError):
    pass


@dataclasses.dataclass
class Parsed:
    rows: list[dict]                    # ready for LogStore.insert
    rejected: list[tuple[int, str]]     # (line number, why)


def split(body: bytes, max_lines: int) -> list[tuple[int, object]]:
    """(line number, decoded JSON or the LineError it raised) for every non-blank line."""
    text = body.lstrip()
    if not text:
        raise BatchError("the body holds no log line")
    if text.startswith(b"["):
        try:
            items = json.loads(body)
        except (ValueError, UnicodeDecodeError) as exc:
            raise BatchError(f"the body starts with [ but is not a JSON array: {exc}")
        except RecursionError:
            raise BatchError("the body is nested too deeply") from None
        if not isinstance(items, list):
            raise BatchError("the body is not a JSON array")
        out = list(enumerate(items, 1))
    else:
        out = []
        for number, raw in enumerate(body.split(b"\n"), 1):
            if raw.strip():
                try:
                    out.append((number, json.loads(raw)))
                except (ValueError, UnicodeDecodeError) as exc:
                    out.append((number, LineError(f"not JSON: {exc}")))
                except RecursionError:
                    out.append((number, LineError("nested too deeply")))
    if len(out) > max_lines:
        raise BatchError(f"{len(out)} lines; send at most {max_lines} per request")
    return out


def parse(body: bytes, max_lines: int, now: datetime.datetime,
          shipper: shippers.Shipper | None = None) -> Parsed:
    """Every line checked, and made safe to store for `shipper` (shippers.admit)."""
    parsed = Parsed([], [])
    for number, item in split(body, max_lines):
        try:
            if isinstance(item, LineError):
                raise item
            row = line(item, now)
            refused = shippers.admit(row, shipper) if shipper is not None else None
            if refused:
                raise LineError(refused)
            parsed.rows.append(row)
        except LineError as exc:
            parsed.rejected.append((number, str(exc)))
    return parsed


def _time(value, now: datetime.datetime) -> datetime.datetime:
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise LineError("time: must be an ISO 8601 string or seconds since the epoch")
    try:
        if isinstance(value, str):
            t = datetime.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        else:
            t = datetime.datetime.fromtimestamp(value, datetime.UTC)
    except (ValueError, OverflowError, OSError):
        raise LineError(f"time: {str(value)[:40]!r} is not an ISO 8601 time")
    if t.tzinfo is not None:
        t = t.astimezone(datetime.UTC).replace(tzinfo=None)  # naive times are UTC
    if t > now + _FUTURE:
        raise LineError("time: more than a day in the future")
    return t


def _string(record: dict, name: str, limit: int, required: bool = True) -> str | None:
    value = record.get(name)
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value.strip():
        raise LineError(f"{name}: is required (a non-empty string)")
    if len(value) > limit:
        raise LineError(f"{name}: is too long (at most {limit})")
    return value.strip()


def _level(value) -> str:
    if not isinstance(value, str):
        raise LineError(f"level: must be one of {', '.join(LEVELS)}")
    level = LEVEL_ALIASES.get(value.upper(), value.upper())
    if level not in LEVELS:
        raise LineError(f"level: {value[:20]!r} is not one of {', '.join(LEVELS)}")
    return level


def _request_ids(record: dict) -> list[str]:
    given = record.get("request_ids", record.get("request_id"))
    if given is None:
        return []
    given = [given] if isinstance(given, str) else given
    if not isinstance(given, list) or not all(isinstance(r, str) for r in given):
        raise LineError("request_id: must be a string or a list of strings")
    ids = [r.lower() for r in given]
    bad = [r for r in ids if not oslo.REQUEST_ID.fullmatch(r)]
    if bad:
        raise LineError(f"request_id: {bad[0][:60]!r} is not req-<uuid>")
    return ids


def line(record, now: datetime.datetime) -> dict:
    """A stored row from one shipped record. A message that is a whole oslo.log line gives
    the time, level, logger, pid and request ids the record leaves out."""
    if not isinstance(record, dict):
        raise LineError("must be a JSON object")
    message = _string(record, "message", MAX_MESSAGE)
    source = oslo.parse(message)
    raw = record.get("raw")
    if raw is not None and (not isinstance(raw, str) or len(raw) > MAX_MESSAGE * 2):
        raise LineError(f"raw: must be a string of at most {MAX_MESSAGE * 2} characters")
    read_field = next((f for f in READ_TIME_FIELDS if f in record), None)
    if "time" in record:
        time = _time(record["time"], now)
    elif source is not None:
        time = source.time  # zoneless: read as UTC (the agent sends a zoned time instead)
    elif read_field is not None:
        time = _time(record[read_field], now)
    else:
        raise LineError("time: is required")
    if "level" in record:
        level = _level(record["level"])
    elif source is not None:
        level = _level(source.level)
    else:
        raise LineError("level: is required")
    logger = record.get("logger", source.logger if source else None)
    if logger is not None and (not isinstance(logger, str) or len(logger) > 255):
        raise LineError("logger: must be a string of at most 255 characters")
    pid = record.get("pid", source.pid if source else None)
    if pid is not None and (isinstance(pid, bool) or not isinstance(pid, int)
                            or not 0 <= pid < 2 ** 31):
        raise LineError("pid: must be an integer from 0 to 2147483647")
    key = record.get("key")
    if key is not None and (not isinstance(key, str) or not 0 < len(key) <= 128):
        raise LineError("key: must be a string of 1 to 128 characters")
    extra = {k: v for k, v in record.items() if k not in _KNOWN}
    if len(json.dumps(extra)) > MAX_EXTRA:
        raise LineError(f"other fields: more than {MAX_EXTRA} bytes as JSON")
    original = raw if raw is not None else message
    return {"time": time, "region": _string(record, "region", _STRINGS["region"]),
            "service": _string(record, "service", _STRINGS["service"]),
            "host": _string(record, "host", _STRINGS["host"]), "level": level,
            "logger": logger, "pid": pid,
            "message": source.message if source is not None else message,
            "raw": None if original == message and source is None else original,
            "request_ids": list(dict.fromkeys(_request_ids(record)
                                              + oslo.request_ids(original))),
            "extra": extra or None, "dedup_key": key}
