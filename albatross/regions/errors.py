"""What a region's failure is and may tell a client: the service's own message and status,
never the exception's text (keystoneauth and openstacksdk put internal endpoint URLs in it).

The layers above catch region failures by the names below, so that only regions/ imports
openstacksdk and keystoneauth1 (tests/unit/test_layers.py)."""
import re

from keystoneauth1 import exceptions as ks_exc
from openstack import exceptions as sdk_exc

_URL = re.compile(r"https?://\S+")

# what a call to a region may raise, by what it means
SDKError = sdk_exc.SDKException            # any openstacksdk failure (HTTP ones included)
HttpError = sdk_exc.HttpException          # the service answered with an error status
NotFound = sdk_exc.NotFoundException
Conflict = sdk_exc.ConflictException
Forbidden = sdk_exc.ForbiddenException
Duplicate = sdk_exc.DuplicateResource      # a find by name matched several
ClientError = ks_exc.ClientException       # any keystoneauth failure
NoEndpoint = ks_exc.EndpointNotFound       # the service is not in the region's catalog
# the request did not get an answer (never arrived, or timed out)
UNREACHABLE = (ks_exc.ConnectFailure, ks_exc.ConnectTimeout, ks_exc.RequestTimeout)
# everything a region call may raise
REGION_ERRORS = (SDKError, ClientError)


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


def authority_refused(exc: Exception) -> bool:
    """A region or Keystone refused the credential itself (not one request of it)."""
    return isinstance(exc, ks_exc.Unauthorized) or (
        isinstance(exc, sdk_exc.HttpException) and exc.status_code == 401)


REFUSED = ("the user's authority was refused (401): the trust was deleted, a delegated role "
           "was revoked or the user left the project; nothing more is written")


def failure(exc: Exception) -> tuple[bool, str] | None:
    """(worth another attempt, readable text) for what a region call raised; None when `exc`
    is not a region's failure."""
    if isinstance(exc, ks_exc.ConnectFailure):
        return True, "service unreachable (connection failed)"
    if isinstance(exc, (ks_exc.ConnectTimeout, ks_exc.RequestTimeout)):
        return True, "service did not answer in time"
    if isinstance(exc, ks_exc.EndpointNotFound):
        return False, "no such service endpoint in the catalog"
    if authority_refused(exc):
        return False, REFUSED
    if isinstance(exc, ks_exc.HttpError):
        status = getattr(exc, "http_status", None) or 0
        return status >= 500, f"HTTP {status} {exc.message or ''}".strip()
    if isinstance(exc, sdk_exc.HttpException):
        return (exc.status_code or 0) >= 500, reason(exc)
    if isinstance(exc, sdk_exc.SDKException):
        return True, reason(exc)
    return None
