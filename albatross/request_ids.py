"""Request ids that follow Albatross's work into the regions.

OpenStack's convention: a client sends ``X-OpenStack-Request-ID: req-<uuid>`` and every service
(oslo.middleware request_id) logs it as the *global* request id next to its own local one. The
id Albatross forwards is the API client's own one when it sent a valid one, else the id of the
Albatross request; a job keeps the id of the request that made it and its tasks send it."""
import contextlib
import contextvars
import re
import uuid

# exactly what oslo.middleware accepts as a global request id (lower-case hex); anything else
# could be a log injection and would be dropped by the regions anyway
_FORMAT = re.compile(r"req-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")

_CURRENT: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "albatross_region_request_id", default=None)


def new() -> str:
    return f"req-{uuid.uuid4()}"


def valid(value) -> str | None:
    """`value` if it is a well-formed request id, else None."""
    if isinstance(value, str) and _FORMAT.fullmatch(value):
        return value
    return None


def current() -> str | None:
    """The id to forward for the API request this thread serves (None outside one)."""
    return _CURRENT.get()


@contextlib.contextmanager
def scope(request_id: str | None):
    """Region calls made inside (in this thread, and in RegionRegistry.fan_out) send
    `request_id`."""
    token = _CURRENT.set(valid(request_id))
    try:
        yield
    finally:
        _CURRENT.reset(token)
