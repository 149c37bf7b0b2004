"""What a region's failure may tell a client: the service's own message and status, never the
exception's text (keystoneauth and openstacksdk put internal endpoint URLs in it)."""
import re

from keystoneauth1 import exceptions as ks_exc
from openstack import exceptions as sdk_exc

_URL = re.compile(r"https?://\S+")


def reason(exc: Exception) -> str:
    """A short readable reason for `exc`, safe to store where tenants read it."""
    if isinstance(exc, sdk_exc.HttpException):
        detail = _URL.sub("(endpoint)", (exc.details or "").strip())
        return f"HTTP {exc.status_code or 0}{': ' + detail if detail else ''}"[:500]
    if isinstance(exc, ks_exc.HttpError):
        return f"HTTP {getattr(exc, 'http_status', 0) or 0}"
    if isinstance(exc, ks_exc.ConnectFailure):
        return "service unreachable (connection failed)"
    if isinstance(exc, (ks_exc.ConnectTimeout, ks_exc.RequestTimeout)):
        return "service did not answer in time"
    return type(exc).__name__
