"""Turn what a region raised into (transient?, readable text). Readable: an operator sees
which region and service failed and why, never a stack trace or a token."""
from typing import NamedTuple

from keystoneauth1 import exceptions as ks_exc
from openstack import exceptions as sdk_exc

from albatross.reconcilers.base import Conflict, NotInSource, RegionsFailed, Unsupported
from albatross.regions.delegation import DelegationLost
from albatross.regions.errors import reason
from albatross.regions.registry import UnknownRegion


class Failure(NamedTuple):
    transient: bool        # worth another attempt
    message: str           # what the task's error column shows
    unexpected: bool = False  # a bug rather than the world: log the traceback


def authority_refused(exc: Exception) -> bool:
    """A region or Keystone refused the credential itself (not one request of it)."""
    return isinstance(exc, ks_exc.Unauthorized) or (
        isinstance(exc, sdk_exc.HttpException) and exc.status_code == 401)


def classify(exc: Exception, region: str) -> Failure:
    if isinstance(exc, (Conflict, NotInSource, Unsupported, UnknownRegion, DelegationLost)):
        return Failure(False, str(exc))
    if isinstance(exc, RegionsFailed):
        return Failure(exc.transient, str(exc)[:1000])
    if isinstance(exc, ks_exc.ConnectFailure):
        return Failure(True, f"{region}: service unreachable (connection failed)")
    if isinstance(exc, (ks_exc.ConnectTimeout, ks_exc.RequestTimeout)):
        return Failure(True, f"{region}: service did not answer in time")
    if isinstance(exc, ks_exc.EndpointNotFound):
        return Failure(False, f"{region}: no such service endpoint in the catalog")
    if authority_refused(exc):
        return Failure(False, f"{region}: the user's authority was refused (401): the trust "
                              "was deleted, a delegated role was revoked or the user left the "
                              "project; nothing more is written")
    if isinstance(exc, ks_exc.HttpError):
        status = getattr(exc, "http_status", None) or 0
        return Failure(status >= 500, f"{region}: HTTP {status} {exc.message or ''}".strip())
    if isinstance(exc, sdk_exc.HttpException):
        status = exc.status_code or 0
        return Failure(status >= 500, f"{region}: {reason(exc)}")
    if isinstance(exc, sdk_exc.SDKException):
        return Failure(True, f"{region}: {reason(exc)}")
    return Failure(False, f"{region}: internal error ({type(exc).__name__})", True)
