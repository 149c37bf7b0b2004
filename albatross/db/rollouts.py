"""Image rollouts, their history and the snapshots their rollbacks restore."""
from sqlalchemy import and_, or_, select, update

from albatross.db.engine import session_scope
from albatross.db.models import ImageRollout, RolloutEvent, RolloutSnapshot, utcnow


class RolloutStore:
    def __init__(self, db_url: str):
        self.db_url = db_url

    def create(self, event: RolloutEvent, **fields) -> ImageRollout:
        """The rollout and its first history entry in one transaction."""
        with session_scope(self.db_url) as s:
            rollout = ImageRollout(**fields)
            s.add(rollout)
            s.flush()
            event.rollout_id = rollout.id
            s.add(event)
            return rollout

    def get(self, rollout_id: str) -> ImageRollout | None:
        with session_scope(self.db_url) as s:
            return s.get(ImageRollout, rollout_id)

    def find(self, project_id: str | None = None, states: tuple[str, ...] | None = None,
             limit: int | None = None, marker: str | None = None) -> list[ImageRollout]:
        """Newest first; a page of `limit` after the rollout `marker`."""
        with session_scope(self.db_url) as s:
            q = select(ImageRollout).order_by(ImageRollout.created_at.desc(), ImageRollout.id)
            if project_id is not None:
                q = q.where(ImageRollout.project_id == project_id)
            if states is not None:
                q = q.where(ImageRollout.state.in_(states))
            m = s.get(ImageRollout, marker) if marker else None
            if m is not None:
                q = q.where(or_(ImageRollout.created_at < m.created_at,
                                and_(ImageRollout.created_at == m.created_at,
                                     ImageRollout.id > m.id)))
            return list(s.scalars(q.limit(limit) if limit else q))

    def save(self, rollout_id: str, events: list[RolloutEvent],
             expect: tuple[str, int] | None = None, **values) -> bool:
        """New values and the history entries that explain them, together. `expect`
        (state, wave): only if the rollout is still there (compare-and-set: an approval and
        the controller's step never overwrite each other); False when it was not."""
        with session_scope(self.db_url) as s:
            if values:
                q = update(ImageRollout).where(ImageRollout.id == rollout_id)
                if expect is not None:
                    q = q.where(ImageRollout.state == expect[0], ImageRollout.wave == expect[1])
                if s.execute(q.values(updated_at=utcnow(), **values)).rowcount == 0 \
                        and expect is not None:
                    return False
            for e in events:
                e.rollout_id = rollout_id
                s.add(e)
            return True

    def events(self, rollout_id: str) -> list[RolloutEvent]:
        with session_scope(self.db_url) as s:
            return list(s.scalars(select(RolloutEvent).where(
                RolloutEvent.rollout_id == rollout_id).order_by(RolloutEvent.id)))

    def put_snapshot(self, rollout_id: str, region: str, images: list[dict]) -> None:
        """Replace the region's snapshot (a wave whose start is retried takes it again: the
        rollout has written nothing there yet)."""
        with session_scope(self.db_url) as s:
            row = s.scalars(select(RolloutSnapshot).filter_by(
                rollout_id=rollout_id, region=region)).first()
            if row is None:
                s.add(RolloutSnapshot(rollout_id=rollout_id, region=region, images=images))
            else:
                row.images, row.taken_at = images, utcnow()

    def snapshots(self, rollout_id: str) -> dict[str, list[dict]]:
        with session_scope(self.db_url) as s:
            return {r.region: r.images for r in s.scalars(select(RolloutSnapshot).where(
                RolloutSnapshot.rollout_id == rollout_id).order_by(RolloutSnapshot.id))}
