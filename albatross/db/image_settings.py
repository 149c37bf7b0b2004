"""Image sync settings: one row per (project, image), image "" being the project default. The
auto poller keeps its marks (last change seen, images to look at again) in the rows' `state`."""
from dataclasses import dataclass

from sqlalchemy import delete, select, update

from albatross.db.engine import session_scope
from albatross.db.models import ImageSyncSetting
from albatross.images.modes import AUTO, Setting

DEFAULT = ""


@dataclass
class ProjectSettings:
    project_id: str
    default: ImageSyncSetting | None
    images: dict  # image id -> ImageSyncSetting


def as_setting(row: ImageSyncSetting | None) -> Setting | None:
    if row is None:
        return None
    return Setting(row.mode, row.source_region, row.target_regions, row.propagate_deletes)


class SettingStore:
    def __init__(self, db_url: str):
        self.db_url = db_url

    def get(self, project_id: str, image_id: str = DEFAULT) -> ImageSyncSetting | None:
        with session_scope(self.db_url) as s:
            return s.scalars(select(ImageSyncSetting).filter_by(
                project_id=project_id, image_id=image_id)).first()

    def project(self, project_id: str) -> ProjectSettings:
        with session_scope(self.db_url) as s:
            rows = list(s.scalars(select(ImageSyncSetting).filter_by(project_id=project_id)))
        default = next((r for r in rows if r.image_id == DEFAULT), None)
        return ProjectSettings(project_id, default,
                               {r.image_id: r for r in rows if r.image_id != DEFAULT})

    def put(self, project_id: str, image_id: str, *, mode: str, source_region: str | None,
            target_regions, propagate_deletes: bool) -> ImageSyncSetting:
        """Insert or replace; the poller's marks start over (a full look at the project)."""
        values = dict(mode=mode, source_region=source_region, target_regions=target_regions,
                      propagate_deletes=propagate_deletes, state=None)
        with session_scope(self.db_url) as s:
            row = s.scalars(select(ImageSyncSetting).filter_by(
                project_id=project_id, image_id=image_id).with_for_update()).first()
            if row is None:
                row = ImageSyncSetting(project_id=project_id, image_id=image_id, **values)
                s.add(row)
            else:
                for key, value in values.items():
                    setattr(row, key, value)
            s.flush()
        self.reset_marks(project_id)
        return self.get(project_id, image_id)

    def delete(self, project_id: str, image_id: str = DEFAULT) -> bool:
        with session_scope(self.db_url) as s:
            gone = s.execute(delete(ImageSyncSetting).filter_by(
                project_id=project_id, image_id=image_id)).rowcount == 1
        self.reset_marks(project_id)
        return gone

    def reset_marks(self, project_id: str) -> None:
        """A changed setting can put images that did not change under auto: look at all."""
        with session_scope(self.db_url) as s:
            s.execute(update(ImageSyncSetting).where(
                ImageSyncSetting.project_id == project_id).values(
                    state=None, updated_at=ImageSyncSetting.updated_at))

    def set_state(self, row_id: int, state: dict) -> None:
        """The poller's marks; `updated_at` stays the time the setting itself last changed."""
        with session_scope(self.db_url) as s:
            s.execute(update(ImageSyncSetting).where(ImageSyncSetting.id == row_id)
                      .values(state=state, updated_at=ImageSyncSetting.updated_at))

    def auto_projects(self) -> list[str]:
        """Projects with any auto setting: the only ones the poller reads."""
        with session_scope(self.db_url) as s:
            return sorted(s.scalars(select(ImageSyncSetting.project_id)
                                    .where(ImageSyncSetting.mode == AUTO).distinct()))
