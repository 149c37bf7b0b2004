"""The line format of oslo.log (every OpenStack service), and request ids anywhere in a line.

    2026-11-30 02:16:50.110 5982 INFO glance.api.v2.image_data [None req-8d33... user project
    - - default default] message

The bracket holds the global request id (or None), the local one and the user identity; it is
``[-]`` outside a request. Times are the service host's local time, without a zone."""
import dataclasses
import datetime
import re

REQUEST_ID = re.compile(r"\breq-[0-9a-f]{8}-(?:[0-9a-f]{4}-){3}[0-9a-f]{12}\b", re.IGNORECASE)
_LINE = re.compile(
    r"^(?P<time>\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d(?:[.,]\d{1,6})?)\s+(?P<pid>\d+)\s+"
    r"(?P<level>[A-Z]+)\s+(?P<logger>\S+)\s+(?:\[(?P<context>[^\]]*)\]\s?)?(?P<message>.*)$",
    re.DOTALL)


@dataclasses.dataclass(frozen=True)
class OsloLine:
    time: datetime.datetime  # naive, in the zone of the host that wrote it
    pid: int
    level: str
    logger: str
    message: str
    request_ids: tuple[str, ...]


def request_ids(text: str) -> list[str]:
    """Every request id in `text`, first seen first, lower case."""
    return list(dict.fromkeys(m.lower() for m in REQUEST_ID.findall(text)))


def parse(line: str) -> OsloLine | None:
    """The fields of an oslo.log line; None for anything else (a continuation, a print)."""
    m = _LINE.match(line)
    if m is None:
        return None
    try:
        time = datetime.datetime.fromisoformat(m["time"].replace(",", ".").replace("T", " "))
    except ValueError:
        return None
    return OsloLine(time=time, pid=int(m["pid"]), level=m["level"], logger=m["logger"],
                    message=m["message"].rstrip("\r\n"), request_ids=tuple(request_ids(line)))
