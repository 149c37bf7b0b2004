"""Auto mode's decisions, pure so that a property test can hold them to their promise: an image
whose effective mode is not auto is never copied or deleted; every auto image whose targets lack
an identical copy gets exactly one sync, unless a copy job for it still runs."""
import copy
import random
from dataclasses import dataclass, field

from albatross import backoff
from albatross.images import meta
from albatross.images.meta import ImageState
from albatross.images.modes import AUTO, Effective


@dataclass(frozen=True)
class Candidate:
    """A source image the poller or a notification brought up, with what its targets hold."""
    image: ImageState
    setting: Effective
    targets: tuple[str, ...]                       # resolved target regions
    copies: dict = field(default_factory=dict)     # region -> ImageState | None
    references: dict = field(default_factory=dict)  # region -> {source id: copy id} (AMI)


@dataclass(frozen=True)
class Order:
    image_id: str
    source_region: str
    targets: tuple[str, ...]


@dataclass(frozen=True)
class MappedCopy:
    """A copy the mapping table knows of (Albatross made it or adopted it)."""
    source_id: str
    target_region: str
    target_id: str
    created_by_albatross: bool


def identical(source: ImageState, copy: ImageState | None, references: dict) -> bool:
    """An ACTIVE copy with the same bytes and nothing for the reconciler's update to do."""
    if copy is None or copy.status != "active" or not copy.same_bytes(source):
        return False
    changes, removed = meta.metadata_patch(meta.desired_fields(source, references), copy.fields)
    return not changes and not removed and copy.hidden == source.hidden


def decide(candidates: list[Candidate], busy: set[str]) -> tuple[list[Order], list[str]]:
    """(syncs to start, image ids deferred because their copy job still runs). One order per
    image, naming only the targets that lack an identical copy."""
    orders, deferred, seen = [], [], set()
    for c in candidates:
        image = c.image
        if image.id in seen or c.setting.mode != AUTO or not c.setting.complete \
                or image.status != "active":
            continue
        seen.add(image.id)
        missing = tuple(t for t in c.targets if t != c.setting.source_region and not identical(
            image, c.copies.get(t), c.references.get(t, {})))
        if not missing:
            continue
        if image.id in busy:
            deferred.append(image.id)
            continue
        orders.append(Order(image.id, c.setting.source_region, missing))
    return orders, deferred


def deletions(mapped: list[MappedCopy], present: set[str],
              settings: dict[str, Effective], targets: dict[str, tuple[str, ...]]
              ) -> list[MappedCopy]:
    """Copies to delete because their source is gone: only under an auto setting that asks for
    deletes, only in that setting's targets, and only copies Albatross itself created.
    `settings`/`targets` are by source image id."""
    out = []
    for m in mapped:
        setting = settings.get(m.source_id)
        if m.source_id in present or setting is None or setting.mode != AUTO \
                or not setting.propagate_deletes or not m.created_by_albatross \
                or m.target_region not in targets.get(m.source_id, ()):
            continue
        out.append(m)
    return out


# ---- back-off per (image, target region) ---------------------------------------------------
# An entry, per region, of an image whose last auto copy failed there:
# {"failures": n, "retry_at": epoch seconds, "last_error": str, "digest": source digest}.
# The delay is the one backoff of every retried piece of work (albatross/backoff.py).
MAX_BACKOFF = 24 * 3600.0


def record_outcome(entries: dict, outcome: dict, digest: str, now: float, base: float,
                   cap: float = MAX_BACKOFF, rand=random.random) -> dict:
    """The entries after a finished copy job of the source as it was at `digest`: `outcome` is
    region -> None (copied) or the error. A success clears the region; a failure counts up
    (from 1 again if the source has changed since the last failure)."""
    out = dict(entries)
    for region, error in outcome.items():
        if error is None:
            out.pop(region, None)
            continue
        prev = out.get(region)
        failures = prev["failures"] + 1 if prev and prev.get("digest") == digest else 1
        out[region] = {"failures": failures,
                       "retry_at": now + backoff.delay(failures, base, cap, rand),
                       "last_error": error, "digest": digest}
    return out


def current(entries: dict, digest: str) -> dict:
    """The entries that still apply: a changed source clears them all."""
    return {r: e for r, e in entries.items() if e.get("digest") == digest}


def held(entries: dict, digest: str, now: float) -> set[str]:
    """Regions not due yet for the source at `digest`: failed there for that very source and
    before their retry_at."""
    return {r for r, e in current(entries, digest).items() if now < e["retry_at"]}


class FailedCopies:
    """The back-off entries and tracked jobs kept in one setting row's state (the project
    default's or an image's own): the auto job last started for an image (`tracked`) and,
    once it has finished, an entry per target region where it failed (`backoff`)."""

    def __init__(self, state: dict | None):
        state = state or {}
        self.backoff: dict = copy.deepcopy(state.get("backoff") or {})  # image -> region -> e
        self.tracked: dict = dict(state.get("tracked") or {})  # image -> {job, digest}

    def settle(self, outcome_of, now: float, base: float) -> None:
        """Turn the finished tracked jobs into back-off entries (or clear them);
        `outcome_of(job_id)` is a finished job's {region: None or error}, None while it runs."""
        for image_id, t in list(self.tracked.items()):
            result = outcome_of(t["job"])
            if result is None:
                continue
            del self.tracked[image_id]
            self._put(image_id, record_outcome(self.backoff.get(image_id, {}), result,
                                               t["digest"], now, base))

    def held(self, image_id: str, digest: str, now: float) -> set[str]:
        """Regions to leave out for the image now; entries of an older source are dropped."""
        self._put(image_id, current(self.backoff.get(image_id, {}), digest))
        return held(self.backoff.get(image_id, {}), digest, now)

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
