"""Auto mode's memory of failed copies: the poller keeps, in the row whose marks decide an image
(the project default's or the image's own), the auto job it last started for the image
(`tracked`) and, once that job has finished, a back-off entry per target region where it failed
(`backoff`, see albatross.images.auto). Reading a tracked job is one query per poll until it
finishes."""
import copy
import datetime

from albatross.images import auto
from albatross.jobs import states

ERROR_CHARS = 300


def outcome(rt, job_id: str) -> dict | None:
    """A finished job's result per target region (None: copied, else the error); None while it
    runs, {} if the job is gone (purged)."""
    found = rt.store.get_job(job_id)
    if found is None:
        return {}
    tasks = found[1]
    if any(t.status not in states.TERMINAL for t in tasks):
        return None
    out: dict = {}
    for t in tasks:
        if t.status == states.FAILED:
            out[t.target_region] = (t.error or "failed")[:ERROR_CHARS]
        else:
            out.setdefault(t.target_region, None)
    return out


class Book:
    """The back-off entries and tracked jobs kept in one setting row's state."""

    def __init__(self, state: dict | None):
        state = state or {}
        self.backoff: dict = copy.deepcopy(state.get("backoff") or {})  # image -> region -> e
        self.tracked: dict = dict(state.get("tracked") or {})  # image -> {job, digest}

    def settle(self, rt, now: float, base: float) -> None:
        """Turn the finished tracked jobs into back-off entries (or clear them)."""
        for image_id, t in list(self.tracked.items()):
            result = outcome(rt, t["job"])
            if result is None:
                continue
            del self.tracked[image_id]
            self._put(image_id, auto.record_outcome(self.backoff.get(image_id, {}), result,
                                                    t["digest"], now, base))

    def held(self, image_id: str, digest: str, now: float) -> set[str]:
        """Regions to leave out for the image now; entries of an older source are dropped."""
        self._put(image_id, auto.current(self.backoff.get(image_id, {}), digest))
        return auto.held(self.backoff.get(image_id, {}), digest, now)

    def track(self, image_id: str, job_id: str, digest: str) -> None:
        self.tracked[image_id] = {"job": job_id, "digest": digest}

    def keep_only(self, image_ids) -> None:
        """Forget the images no longer decided by this row (gone, or with a row of their own)."""
        keep = set(image_ids)
        self.backoff = {i: e for i, e in self.backoff.items() if i in keep}
        self.tracked = {i: t for i, t in self.tracked.items() if i in keep}

    def dump(self) -> dict:
        return {"backoff": self.backoff, "tracked": self.tracked}

    def _put(self, image_id: str, entries: dict) -> None:
        if entries:
            self.backoff[image_id] = entries
        else:
            self.backoff.pop(image_id, None)


def _iso(epoch: float) -> str:
    return datetime.datetime.fromtimestamp(epoch, datetime.timezone.utc).strftime(
        "%Y-%m-%dT%H:%M:%SZ")


def listing(rows) -> list[dict]:
    """The backed-off (image, region) pairs kept in these setting rows, soonest retry first."""
    out = [{"image_id": image_id, "region": region, "failures": e["failures"],
            "retry_at": _iso(e["retry_at"]), "last_error": e.get("last_error")}
           for row in rows if row is not None
           for image_id, regions in ((row.state or {}).get("backoff") or {}).items()
           for region, e in regions.items()]
    return sorted(out, key=lambda e: (e["retry_at"], e["image_id"], e["region"]))
