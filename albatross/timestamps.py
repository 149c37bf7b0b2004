"""The API's one way of writing a time: UTC, RFC 3339, milliseconds, a "Z" (the database holds
naive UTC datetimes)."""
import datetime


def iso(dt: datetime.datetime | None) -> str | None:
    return dt.isoformat(timespec="milliseconds") + "Z" if dt else None
