"""Which sync mode governs an image: its own setting, else its project's default, else none.
Pure: the settings service, the auto poller and lazy ensure all resolve the same way."""
from dataclasses import dataclass

NONE, AUTO, LAZY, CONTROLLED = "none", "auto", "lazy", "controlled"
MODES = (NONE, AUTO, LAZY, CONTROLLED)


@dataclass(frozen=True)
class Setting:
    """One stored setting (a project default or one image's), as the resolver sees it."""
    mode: str
    source_region: str | None = None
    target_regions: list | str | None = None  # a list of regions, or "all"
    propagate_deletes: bool = False


@dataclass(frozen=True)
class Effective:
    mode: str
    source_region: str | None
    target_regions: list | str | None
    propagate_deletes: bool
    set_on: str  # "image", "project" or "default" (nothing stored: none)

    @property
    def complete(self) -> bool:
        """Auto needs somewhere to copy from and to; a default that lost its regions leaves
        an image's auto setting without them (then nothing is copied)."""
        return bool(self.source_region) and bool(self.target_regions)


def resolve(image: Setting | None, default: Setting | None) -> Effective:
    """The image's setting overrides the project default. Regions the image's setting leaves
    out come from the default; with the default's targets come the default's deletes (the
    setting that chose where copies go chose whether they follow a delete), unless the
    image's own setting asks for deletes."""
    if image is None and default is None:
        return Effective(NONE, None, None, False, "default")
    if image is None:
        return Effective(default.mode, default.source_region, default.target_regions,
                         default.propagate_deletes, "project")
    source = image.source_region or (default.source_region if default else None)
    if image.target_regions is not None or default is None:
        targets, propagate = image.target_regions, image.propagate_deletes
    else:
        targets = default.target_regions
        propagate = image.propagate_deletes or default.propagate_deletes
    return Effective(image.mode, source, targets, propagate, "image")
