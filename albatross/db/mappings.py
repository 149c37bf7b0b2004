"""Reading and writing source -> target mappings one object at a time, as soon as the target
object exists: a worker that dies right after a create leaves the mapping behind, so the
re-run adopts the object instead of creating it twice."""
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from albatross.db.engine import read_scope, session_scope
from albatross.db.models import ResourceMapping


class MappingStore:
    def __init__(self, db_url: str, resource_type: str, owner: str, project_id: str,
                 source_region: str, target_region: str):
        self.db_url = db_url
        self.project_id = project_id
        self.key = dict(resource_type=resource_type, owner=owner, source_region=source_region,
                        target_region=target_region)

    def load(self) -> dict[str, ResourceMapping]:
        """Every mapping of this type, owner and region pair, by source key."""
        with read_scope(self.db_url) as s:
            return {m.source_key: m for m in s.scalars(
                select(ResourceMapping).filter_by(**self.key))}

    def _upsert(self, source_key: str, new: dict, change) -> None:
        """Insert the mapping with `new`, or `change(row)` the one there."""
        for _ in range(2):  # a concurrent insert of the same row wins the first round
            try:
                with session_scope(self.db_url) as s:
                    row = s.scalars(select(ResourceMapping).filter_by(
                        **self.key, source_key=source_key).with_for_update()).first()
                    if row is None:
                        s.add(ResourceMapping(**self.key, source_key=source_key,
                                              project_id=self.project_id, **new))
                    else:
                        change(row)
                return
            except IntegrityError:
                continue

    def put(self, source_key: str, target_id: str, *, created: bool, task_id: str | None,
            details: dict | None = None) -> None:
        """Insert or update one mapping; `created` only ever turns on for the same target."""
        self.put_many([(source_key, target_id, created, task_id, details)])

    def put_many(self, rows: list[tuple[str, str, bool, str | None, dict | None]]) -> None:
        """put() for each (source key, target id, created, task id, details), in one
        transaction: what one region's rule changes touched, a policy's adoptions (a
        transaction per group made an audit over thousands of regions a write storm)."""
        if not rows:
            return
        for _ in range(2):  # a concurrent insert of the same row wins the first round
            try:
                with session_scope(self.db_url) as s:
                    existing = {m.source_key: m for m in s.scalars(
                        select(ResourceMapping).filter_by(**self.key).where(
                            ResourceMapping.source_key.in_([r[0] for r in rows]))
                        .with_for_update())}
                    for source_key, target_id, created, task_id, details in rows:
                        row = existing.get(source_key)
                        if row is None:
                            existing[source_key] = row = ResourceMapping(
                                **self.key, source_key=source_key, project_id=self.project_id,
                                target_id=target_id, created_by_albatross=created,
                                task_id=task_id, details=details)
                            s.add(row)
                            continue
                        row.created_by_albatross = created if row.target_id != target_id \
                            else row.created_by_albatross or created
                        row.target_id, row.task_id = target_id, task_id
                        if details is not None:
                            row.details = details
                return
            except IntegrityError:
                continue

    def record(self, source_key: str, target_id: str | None, *, fingerprint: str | None,
               created: bool, task_id: str) -> None:
        """What a task's outcome says (the executor's record): the target (kept when the
        outcome names none), its fingerprint; `created` only ever turns on."""
        def change(row):
            row.target_id = target_id or row.target_id
            row.fingerprint = fingerprint
            row.created_by_albatross = row.created_by_albatross or created
            row.task_id = task_id
        self._upsert(source_key, {"target_id": target_id or source_key,
                                  "fingerprint": fingerprint, "created_by_albatross": created,
                                  "task_id": task_id}, change)

    def remove(self, source_key: str) -> None:
        with session_scope(self.db_url) as s:
            s.execute(delete(ResourceMapping).filter_by(**self.key, source_key=source_key))


def unfinished(db_url: str, resource_type: str) -> list[int]:
    """The ids of the mappings of half copies that a failed copy could not remove."""
    with read_scope(db_url) as s:
        return [r.id for r in s.scalars(select(ResourceMapping).where(
                ResourceMapping.resource_type == resource_type))
                if (r.details or {}).get("unfinished")]


def get_by_id(db_url: str, mapping_id) -> ResourceMapping | None:
    with read_scope(db_url) as s:
        return s.get(ResourceMapping, mapping_id)


def delete_by_id(db_url: str, mapping_id) -> None:
    with session_scope(db_url) as s:
        s.execute(delete(ResourceMapping).where(ResourceMapping.id == mapping_id))
