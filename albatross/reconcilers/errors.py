"""Turn what a region raised into (transient?, readable text). Readable: an operator sees
which region and service failed and why, never a stack trace or a token."""
from typing import NamedTuple

from albatross.reconcilers.base import Conflict, NotInSource, RegionsFailed, Unsupported
from albatross.regions.delegation import DelegationLost
from albatross.regions.errors import failure
from albatross.regions.registry import UnknownRegion


class Failure(NamedTuple):
    transient: bool        # worth another attempt
    message: str           # what the task's error column shows
    unexpected: bool = False  # a bug rather than the world: log the traceback


def classify(exc: Exception, region: str) -> Failure:
    if isinstance(exc, (Conflict, NotInSource, Unsupported, UnknownRegion, DelegationLost)):
        return Failure(False, str(exc))
    if isinstance(exc, RegionsFailed):
        return Failure(exc.transient, str(exc)[:1000])
    found = failure(exc)
    if found is not None:
        return Failure(found[0], f"{region}: {found[1]}")
    return Failure(False, f"{region}: internal error ({type(exc).__name__})", True)
