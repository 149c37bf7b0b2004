"""Reads and writes of global limits, classes, regional allowances, overshoots and quota
events."""
import json

from sqlalchemy import delete, select

from albatross.db.engine import read_scope, session_scope
from albatross.db.models import (ProjectQuotaClass, QuotaAllowance, QuotaClassLimit, QuotaEvent,
                                 QuotaLimit, QuotaOvershoot, utcnow)

from albatross.quota.limits import effective_limits
from albatross.quota.soft import SoftLimit

DEFAULT_CLASS = "default"


class QuotaStore:
    def __init__(self, db_url: str):
        self.db_url = db_url

    # ---- limits and classes ---------------------------------------------------------------
    def project_settings(self, project_id: str) -> dict:
        """{"hard": {res: n}, "soft": {res: (absolute, percent, over)}, "class": name}"""
        with read_scope(self.db_url) as s:
            rows = s.scalars(select(QuotaLimit).where(QuotaLimit.project_id == project_id))
            hard, soft = {}, {}
            for r in rows:
                if r.hard_limit is not None:
                    hard[r.resource] = r.hard_limit
                if r.soft_absolute is not None or r.soft_percent is not None:
                    soft[r.resource] = (r.soft_absolute, r.soft_percent, r.soft_over)
            klass = s.get(ProjectQuotaClass, project_id)
            return {"hard": hard, "soft": soft, "class": klass.class_name if klass else None}

    def effective(self, project_id: str) -> tuple[dict[str, int], dict, str | None]:
        """(global hard limits, {resource: (SoftLimit, over)}, class name) in force now."""
        settings = self.project_settings(project_id)
        klass = settings["class"]
        hard = effective_limits(settings["hard"], self.class_limits(klass) if klass else {},
                                self.class_limits(DEFAULT_CLASS))
        soft = {r: (SoftLimit(a, p), over) for r, (a, p, over) in settings["soft"].items()}
        return hard, soft, klass

    def class_limits(self, class_name: str) -> dict[str, int]:
        with read_scope(self.db_url) as s:
            return {r.resource: r.hard_limit for r in s.scalars(
                select(QuotaClassLimit).where(QuotaClassLimit.class_name == class_name))}

    def class_names(self) -> list[str]:
        with read_scope(self.db_url) as s:
            return sorted(set(s.scalars(select(QuotaClassLimit.class_name))))

    def set_project(self, project_id: str, hard: dict[str, int],
                    soft: dict[str, tuple], class_name: str | None = None,
                    set_class: bool = False) -> None:
        """Upsert in one transaction: all of it is written or none of it."""
        with session_scope(self.db_url) as s:
            existing = {r.resource: r for r in s.scalars(
                select(QuotaLimit).where(QuotaLimit.project_id == project_id)
                .with_for_update())}
            for resource in set(hard) | set(soft):
                row = existing.get(resource)
                if row is None:
                    row = QuotaLimit(project_id=project_id, resource=resource, soft_over=False)
                    s.add(row)
                if resource in hard:
                    row.hard_limit = hard[resource]
                if resource in soft:
                    row.soft_absolute, row.soft_percent = soft[resource][:2]
                row.updated_at = utcnow()
            if set_class:
                current = s.get(ProjectQuotaClass, project_id)
                if class_name is None and current is not None:
                    s.delete(current)
                elif class_name is not None and current is None:
                    s.add(ProjectQuotaClass(project_id=project_id, class_name=class_name))
                elif class_name is not None:
                    current.class_name = class_name

    def delete_project(self, project_id: str, resources: list[str] | None = None) -> int:
        with session_scope(self.db_url) as s:
            q = delete(QuotaLimit).where(QuotaLimit.project_id == project_id)
            if resources is not None:
                q = q.where(QuotaLimit.resource.in_(resources))
            return s.execute(q).rowcount

    def set_class(self, class_name: str, limits: dict[str, int]) -> None:
        with session_scope(self.db_url) as s:
            existing = {r.resource: r for r in s.scalars(
                select(QuotaClassLimit).where(QuotaClassLimit.class_name == class_name)
                .with_for_update())}
            for resource, value in limits.items():
                if resource in existing:
                    existing[resource].hard_limit = value
                else:
                    s.add(QuotaClassLimit(class_name=class_name, resource=resource,
                                          hard_limit=value))

    def delete_class(self, class_name: str) -> int:
        with session_scope(self.db_url) as s:
            return s.execute(delete(QuotaClassLimit).where(
                QuotaClassLimit.class_name == class_name)).rowcount

    def projects_with_settings(self) -> list[str]:
        with read_scope(self.db_url) as s:
            ids = set(s.scalars(select(QuotaLimit.project_id)))
            ids |= set(s.scalars(select(ProjectQuotaClass.project_id)))
            return sorted(ids)

    def is_governed(self, project_id: str) -> bool:
        with read_scope(self.db_url) as s:
            return s.scalar(select(QuotaLimit.project_id).where(
                QuotaLimit.project_id == project_id).limit(1)) is not None \
                or s.get(ProjectQuotaClass, project_id) is not None

    # ---- regional allowances ----------------------------------------------------------------
    def allowances(self, project_id: str) -> dict[tuple[str, str], QuotaAllowance]:
        """{(resource, region): row}"""
        with read_scope(self.db_url) as s:
            return {(r.resource, r.region): r for r in s.scalars(
                select(QuotaAllowance).where(QuotaAllowance.project_id == project_id))}

    def record_region(self, project_id: str, region: str, limits: dict[str, int],
                      usage: dict[str, int]) -> None:
        """What a region's native limits and usage are now (after a read or a write)."""
        self.record_regions(project_id, {region: (limits, usage)})

    def record_regions(self, project_id: str,
                       readings: dict[str, tuple[dict[str, int], dict[str, int]]]) -> None:
        """Every region's (limits, usage) of a rebalance in one transaction, writing only
        the values that changed (a row per resource and region: at thousands of regions a
        transaction per region, rewriting every row, was the rebalance's cost)."""
        if not readings:
            return
        with session_scope(self.db_url) as s:
            rows = {(r.region, r.resource): r for r in s.scalars(select(QuotaAllowance).where(
                QuotaAllowance.project_id == project_id,
                QuotaAllowance.region.in_(list(readings))).with_for_update())}
            now = utcnow()
            for region, (limits, usage) in readings.items():
                for resource in set(limits) | set(usage):
                    row = rows.get((region, resource))
                    if row is None:
                        row = QuotaAllowance(project_id=project_id, resource=resource,
                                             region=region, usage=0)
                        s.add(row)
                    limit = limits.get(resource, row.native_limit)
                    used = usage.get(resource, row.usage)
                    if row.id is None or (limit, used) != (row.native_limit, row.usage):
                        row.native_limit, row.usage, row.updated_at = limit, used, now

    def set_soft_over(self, project_id: str, resource: str, over: bool) -> None:
        """Whether usage is above the project's soft threshold (events fire on changes)."""
        with session_scope(self.db_url) as s:
            row = s.scalars(select(QuotaLimit).where(QuotaLimit.project_id == project_id,
                                                     QuotaLimit.resource == resource)).first()
            if row is not None:
                row.soft_over = over

    # ---- overshoots ---------------------------------------------------------------------------
    def overshoots(self, project_id: str) -> dict[str, dict]:
        """{resource: {global_limit, total_usage, over_by, regions, since}} on record."""
        with read_scope(self.db_url) as s:
            return {r.resource: {"global_limit": r.global_limit, "total_usage": r.total_usage,
                                 "over_by": r.total_usage - r.global_limit,
                                 "regions": json.loads(r.regions), "since": r.since}
                    for r in s.scalars(select(QuotaOvershoot).where(
                        QuotaOvershoot.project_id == project_id))}

    def record_overshoots(self, project_id: str, current: dict, known: set[str]):
        """Make the record match `current` ({resource: Overshoot}) for the resources whose
        usage is known (a resource read nowhere keeps its row). Returns (started, cleared):
        the resources that went over G, and those back under it."""
        with session_scope(self.db_url) as s:
            rows = {r.resource: r for r in s.scalars(select(QuotaOvershoot).where(
                QuotaOvershoot.project_id == project_id).with_for_update())}
            started = sorted(set(current) - set(rows))
            cleared = sorted(r for r in set(rows) - set(current) if r in known)
            for name, over in current.items():
                row = rows.get(name)
                if row is None:
                    row = QuotaOvershoot(project_id=project_id, resource=name, since=utcnow())
                    s.add(row)
                row.global_limit, row.total_usage = over.global_limit, over.total_usage
                row.regions = json.dumps(over.regions, sort_keys=True)
                row.updated_at = utcnow()
            for name in cleared:
                s.delete(rows[name])
            return started, cleared

    # ---- events -----------------------------------------------------------------------------
    def add_event(self, project_id: str, kind: str, resource: str | None = None,
                  usage: int | None = None, threshold: int | None = None,
                  hard_limit: int | None = None, detail: str | None = None) -> None:
        with session_scope(self.db_url) as s:
            s.add(QuotaEvent(project_id=project_id, kind=kind, resource=resource, usage=usage,
                             threshold=threshold, hard_limit=hard_limit, detail=detail))

    def events(self, project_id: str, limit: int = 100) -> list[QuotaEvent]:
        with read_scope(self.db_url) as s:
            return list(s.scalars(select(QuotaEvent).where(QuotaEvent.project_id == project_id)
                                  .order_by(QuotaEvent.created_at.desc(), QuotaEvent.id.desc())
                                  .limit(limit)))
