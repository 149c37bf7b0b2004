"""Turn what a region raised into (transient?, readable text). Readable: an operator sees
which region and service failed and why, never a stack trace or a token."""
from keystoneauth1 import exceptions as ks_exc
from openstack import exceptions as sdk_exc

from albatross.reconcilers.base import Conflict, NotInSource
from albatross.regions.registry import UnknownRegion


def classify(exc: Exception, region: str) -> tuple[bool, str]:
    if isinstance(exc, (Conflict, NotInSource, UnknownRegion)):
        return False, str(exc)
    if isinstance(exc, ks_exc.ConnectFailure):
        return True, f"{region}: service unreachable (connection failed)"
    if isinstance(exc, (ks_exc.ConnectTimeout, ks_exc.RequestTimeout)):
        return True, f"{region}: service did not answer in time"
    if isinstance(exc, ks_exc.EndpointNotFound):
        return False, f"{region}: no such service endpoint in the catalog"
    if isinstance(exc, ks_exc.HttpError):
        status = getattr(exc, "http_status", None) or 0
        return status >= 500, f"{region}: HTTP {status} {exc.message or ''}".strip()
    if isinstance(exc, sdk_exc.HttpException):
        status = exc.status_code or 0
        detail = (exc.details or exc.message or "").strip()
        return status >= 500, f"{region}: HTTP {status}: {detail}"[:1000]
    if isinstance(exc, sdk_exc.SDKException):
        return True, f"{region}: {exc}"[:1000]
    return False, f"{region}: internal error ({type(exc).__name__})"
