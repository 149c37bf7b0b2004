"""Tables. The DB is the single source of truth for jobs: a broker message only says "look here"."""
import datetime
import uuid

from sqlalchemy import (JSON, Boolean, DateTime, Float, ForeignKey, Index, Integer, String, Text,
                        UniqueConstraint)
from sqlalchemy.dialects import mysql
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

# microseconds everywhere: MySQL/MariaDB DATETIME would round leases to whole seconds
Timestamp = DateTime().with_variant(mysql.DATETIME(fsp=6), "mysql", "mariadb")


def new_id() -> str:
    return str(uuid.uuid4())


def utcnow() -> datetime.datetime:
    """Naive UTC: every backend stores it the same way."""
    return datetime.datetime.now(datetime.UTC).replace(tzinfo=None)


class Base(DeclarativeBase):
    pass


class Job(Base):
    """One request to change several regions; its status is derived from its tasks."""
    __tablename__ = "jobs"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    project_id: Mapped[str] = mapped_column(String(64), index=True)
    user_id: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(32))
    origin: Mapped[str] = mapped_column(String(16), default="api")
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    # the request that made it; its tasks send it to the regions (NULL: made before 0011)
    request_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    # the Keystone trust its work acts through (NULL: made before 0012, or admin-only work)
    trust_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    # what every task's payload shares, stored once (NULL: nothing, or made before 0015)
    task_payload: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    created_at: Mapped[datetime.datetime] = mapped_column(Timestamp, default=utcnow, index=True)
    updated_at: Mapped[datetime.datetime] = mapped_column(Timestamp, default=utcnow,
                                                          onupdate=utcnow)
    tasks: Mapped[list["Task"]] = relationship(back_populates="job", order_by="Task.seq",
                                               cascade="all, delete-orphan")


class Task(Base):
    """One resource in one target region: the unit a worker leases, runs and may re-run."""
    __tablename__ = "tasks"
    __table_args__ = (Index("ix_tasks_claim", "status", "not_before"),
                      Index("ix_tasks_job_status", "job_id", "status"),
                      Index("ux_tasks_queue_key", "queue_key", unique=True))

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    # NULL for a controller's work item (db/work_queue.py): background work of no user's job
    job_id: Mapped[str | None] = mapped_column(ForeignKey("jobs.id", ondelete="CASCADE"),
                                               index=True, nullable=True)
    queue_key: Mapped[str | None] = mapped_column(String(191), nullable=True)
    dirty: Mapped[bool] = mapped_column(Boolean, default=False)   # enqueued while running
    seq: Mapped[int] = mapped_column(Integer)
    resource_type: Mapped[str] = mapped_column(String(32))
    resource: Mapped[str] = mapped_column(String(255))
    source_region: Mapped[str] = mapped_column(String(128))
    target_region: Mapped[str] = mapped_column(String(128))
    force: Mapped[bool] = mapped_column(Boolean, default=False)
    payload: Mapped[dict] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(16), default="QUEUED")
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    result: Mapped[dict] = mapped_column(JSON, default=dict)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    not_before: Mapped[datetime.datetime] = mapped_column(Timestamp, default=utcnow)
    lease_owner: Mapped[str | None] = mapped_column(String(255), nullable=True)
    lease_expires_at: Mapped[datetime.datetime | None] = mapped_column(Timestamp, nullable=True)
    created_at: Mapped[datetime.datetime] = mapped_column(Timestamp, default=utcnow)
    started_at: Mapped[datetime.datetime | None] = mapped_column(Timestamp, nullable=True)
    finished_at: Mapped[datetime.datetime | None] = mapped_column(Timestamp, nullable=True)
    job: Mapped[Job] = relationship(back_populates="tasks")


class ResourceMapping(Base):
    """What Albatross put where: (type, owner, source region, source key) -> target object.

    Lets a re-run adopt instead of re-create, and lets later features delete only what
    Albatross itself created."""
    __tablename__ = "resource_mappings"
    __table_args__ = (UniqueConstraint("resource_type", "owner", "source_region", "source_key",
                                       "target_region", name="uq_mapping_source_target"),
                      # a task loads one region pair's mappings (MappingStore.load)
                      Index("ix_mappings_region_pair", "resource_type", "owner",
                            "source_region", "target_region"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    resource_type: Mapped[str] = mapped_column(String(32))
    owner: Mapped[str] = mapped_column(String(64))
    project_id: Mapped[str] = mapped_column(String(64), index=True)
    source_region: Mapped[str] = mapped_column(String(128))
    source_key: Mapped[str] = mapped_column(String(255))
    target_region: Mapped[str] = mapped_column(String(128))
    target_id: Mapped[str] = mapped_column(String(255))
    fingerprint: Mapped[str | None] = mapped_column(String(255), nullable=True)
    created_by_albatross: Mapped[bool] = mapped_column(Boolean, default=True)
    task_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    details: Mapped[dict | None] = mapped_column(JSON, nullable=True)  # e.g. rules we added
    created_at: Mapped[datetime.datetime] = mapped_column(Timestamp, default=utcnow)
    updated_at: Mapped[datetime.datetime] = mapped_column(Timestamp, default=utcnow,
                                                          onupdate=utcnow)


class QuotaLimit(Base):
    """A project's own global limits and soft thresholds (NULL: take the class's value)."""
    __tablename__ = "quota_limits"
    __table_args__ = (UniqueConstraint("project_id", "resource", name="uq_quota_limit"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    project_id: Mapped[str] = mapped_column(String(64))
    resource: Mapped[str] = mapped_column(String(64))
    hard_limit: Mapped[int | None] = mapped_column(Integer, nullable=True)
    soft_absolute: Mapped[int | None] = mapped_column(Integer, nullable=True)
    soft_percent: Mapped[float | None] = mapped_column(Float, nullable=True)
    soft_over: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime.datetime] = mapped_column(Timestamp, default=utcnow,
                                                          onupdate=utcnow)


class QuotaClassLimit(Base):
    """Named quota classes; the class `default` applies to every project without one."""
    __tablename__ = "quota_classes"
    __table_args__ = (UniqueConstraint("class_name", "resource", name="uq_quota_class"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    class_name: Mapped[str] = mapped_column(String(255))
    resource: Mapped[str] = mapped_column(String(64))
    hard_limit: Mapped[int] = mapped_column(Integer)


class ProjectQuotaClass(Base):
    __tablename__ = "project_quota_classes"

    project_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    class_name: Mapped[str] = mapped_column(String(255))


class QuotaAllowance(Base):
    """The native limit Albatross last read or wrote in a region, and the usage it saw: an
    unreachable region's allowance stays counted (strict policy) from this row."""
    __tablename__ = "quota_allowances"
    __table_args__ = (UniqueConstraint("project_id", "resource", "region",
                                       name="uq_quota_allowance"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    project_id: Mapped[str] = mapped_column(String(64))
    resource: Mapped[str] = mapped_column(String(64))
    region: Mapped[str] = mapped_column(String(128))
    native_limit: Mapped[int | None] = mapped_column(Integer, nullable=True)
    usage: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime.datetime] = mapped_column(Timestamp, default=utcnow,
                                                          onupdate=utcnow)


class QuotaEvent(Base):
    """Soft limits crossed or cleared, and regions a rebalance could not reach."""
    __tablename__ = "quota_events"
    __table_args__ = (Index("ix_quota_events_project", "project_id", "created_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    project_id: Mapped[str] = mapped_column(String(64))
    resource: Mapped[str | None] = mapped_column(String(64), nullable=True)
    kind: Mapped[str] = mapped_column(String(32))
    usage: Mapped[int | None] = mapped_column(Integer, nullable=True)
    threshold: Mapped[int | None] = mapped_column(Integer, nullable=True)
    hard_limit: Mapped[int | None] = mapped_column(Integer, nullable=True)
    detail: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime.datetime] = mapped_column(Timestamp, default=utcnow)


class QuotaOvershoot(Base):
    """A resource of a project whose usage is over its global limit, since when, and the
    usage and native limit of each region at the last reading (JSON)."""
    __tablename__ = "quota_overshoots"

    project_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    resource: Mapped[str] = mapped_column(String(64), primary_key=True)
    global_limit: Mapped[int] = mapped_column(Integer)
    total_usage: Mapped[int] = mapped_column(Integer)
    regions: Mapped[str] = mapped_column(Text)
    since: Mapped[datetime.datetime] = mapped_column(Timestamp, default=utcnow)
    updated_at: Mapped[datetime.datetime] = mapped_column(Timestamp, default=utcnow,
                                                          onupdate=utcnow)


class SyncPolicy(Base):
    """"Keep these resources in step from one region to others": audited periodically."""
    __tablename__ = "sync_policies"
    __table_args__ = (UniqueConstraint("project_id", "name", name="uq_sync_policy_name"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    project_id: Mapped[str] = mapped_column(String(64), index=True)
    user_id: Mapped[str] = mapped_column(String(64))  # owner of the keypairs it keeps
    name: Mapped[str] = mapped_column(String(255))
    resource_type: Mapped[str] = mapped_column(String(32))
    source_region: Mapped[str] = mapped_column(String(128))
    target_regions: Mapped[list] = mapped_column(JSON, default=list)
    selector: Mapped[dict] = mapped_column(JSON, default=dict)  # all | names | tags
    propagate_deletes: Mapped[bool] = mapped_column(Boolean, default=False)
    repair: Mapped[bool] = mapped_column(Boolean, default=True)
    interval: Mapped[int] = mapped_column(Integer)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    last_audit_at: Mapped[datetime.datetime | None] = mapped_column(Timestamp, nullable=True)
    last_job_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    # the Keystone trust its work acts through (NULL: made before 0012, or admin-only work)
    trust_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    created_at: Mapped[datetime.datetime] = mapped_column(Timestamp, default=utcnow)
    updated_at: Mapped[datetime.datetime] = mapped_column(Timestamp, default=utcnow,
                                                          onupdate=utcnow)


class DriftEvent(Base):
    """A difference an audit or sync found in a region (and whether it was repaired), or a
    region it could not reach."""
    __tablename__ = "drift_events"
    __table_args__ = (Index("ix_drift_events_project", "project_id", "created_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    project_id: Mapped[str] = mapped_column(String(64))
    policy_id: Mapped[str | None] = mapped_column(String(36), nullable=True, index=True)
    job_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    region: Mapped[str] = mapped_column(String(128))
    resource_type: Mapped[str] = mapped_column(String(32))
    resource: Mapped[str] = mapped_column(String(255))
    kind: Mapped[str] = mapped_column(String(16))
    detail: Mapped[str | None] = mapped_column(Text, nullable=True)
    repaired: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime.datetime] = mapped_column(Timestamp, default=utcnow)


class SyncLock(Base):
    """A named lease: one writer per (project, resource type, target region) at a time, taken
    over when its holder stops renewing (a crashed worker)."""
    __tablename__ = "sync_locks"

    name: Mapped[str] = mapped_column(String(255), primary_key=True)
    owner: Mapped[str] = mapped_column(String(255))
    expires_at: Mapped[datetime.datetime] = mapped_column(Timestamp)


class ImageSyncSetting(Base):
    """How a project's images travel: per image, or the project's default (image_id "").
    Modes: none, auto (replicated without a request), lazy (copied on first ensure),
    controlled (staged rollouts)."""
    __tablename__ = "image_sync_settings"
    __table_args__ = (UniqueConstraint("project_id", "image_id", name="uq_image_sync_setting"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    project_id: Mapped[str] = mapped_column(String(64))
    image_id: Mapped[str] = mapped_column(String(36), default="")  # "": the project default
    mode: Mapped[str] = mapped_column(String(16))
    source_region: Mapped[str | None] = mapped_column(String(128), nullable=True)
    target_regions: Mapped[list | str | None] = mapped_column(JSON, nullable=True)  # or "all"
    propagate_deletes: Mapped[bool] = mapped_column(Boolean, default=False)
    state: Mapped[dict | None] = mapped_column(JSON, nullable=True)  # the auto poller's marks
    updated_at: Mapped[datetime.datetime] = mapped_column(Timestamp, default=utcnow,
                                                          onupdate=utcnow)


class ImageRollout(Base):
    """A new image version copied region by region in waves, each one approved before the
    next (unless auto_approve); `waves` holds each wave's regions, job and verification."""
    __tablename__ = "image_rollouts"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    project_id: Mapped[str] = mapped_column(String(64), index=True)
    user_id: Mapped[str] = mapped_column(String(64))
    admin: Mapped[bool] = mapped_column(Boolean, default=False)  # later waves read as one
    image_id: Mapped[str] = mapped_column(String(36))
    image_name: Mapped[str | None] = mapped_column(String(255), nullable=True)
    image_owner: Mapped[str] = mapped_column(String(64))  # whose images are snapshotted
    source_region: Mapped[str] = mapped_column(String(128))
    waves: Mapped[list] = mapped_column(JSON, default=list)
    auto_approve: Mapped[bool] = mapped_column(Boolean, default=False)
    state: Mapped[str] = mapped_column(String(24), index=True)
    wave: Mapped[int] = mapped_column(Integer, default=0)
    rollback_job_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    # the Keystone trust its work acts through (NULL: made before 0012, or admin-only work)
    trust_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    created_at: Mapped[datetime.datetime] = mapped_column(Timestamp, default=utcnow)
    updated_at: Mapped[datetime.datetime] = mapped_column(Timestamp, default=utcnow,
                                                          onupdate=utcnow)


class RolloutEvent(Base):
    """A rollout's history: every transition, who made it, when, and the job it started."""
    __tablename__ = "rollout_events"
    __table_args__ = (Index("ix_rollout_events_rollout", "rollout_id", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    rollout_id: Mapped[str] = mapped_column(ForeignKey("image_rollouts.id",
                                                       ondelete="CASCADE"))
    event: Mapped[str] = mapped_column(String(32))
    actor: Mapped[str] = mapped_column(String(64))
    from_state: Mapped[str | None] = mapped_column(String(24), nullable=True)
    to_state: Mapped[str] = mapped_column(String(24))
    wave: Mapped[int | None] = mapped_column(Integer, nullable=True)
    job_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    detail: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime.datetime] = mapped_column(Timestamp, default=utcnow)


class RolloutSnapshot(Base):
    """A target region's images of the owner just before a rollout's wave wrote there: what
    its rollback restores, image by image."""
    __tablename__ = "rollout_snapshots"
    __table_args__ = (UniqueConstraint("rollout_id", "region", name="uq_rollout_snapshot"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    rollout_id: Mapped[str] = mapped_column(ForeignKey("image_rollouts.id",
                                                       ondelete="CASCADE"))
    region: Mapped[str] = mapped_column(String(128))
    images: Mapped[list] = mapped_column(JSON, default=list)  # ImageState.to_dict() each
    taken_at: Mapped[datetime.datetime] = mapped_column(Timestamp, default=utcnow)


class Trust(Base):
    """A Keystone trust a user made so that its owner (a job, a sync policy, a project's
    image auto mode, a rollout) can act for the user after the request; deleted with it."""
    __tablename__ = "trusts"
    __table_args__ = (Index("ix_trusts_owner", "owner_kind", "owner_id"),)

    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # Keystone's trust id
    project_id: Mapped[str] = mapped_column(String(64), index=True)
    user_id: Mapped[str] = mapped_column(String(64))
    owner_kind: Mapped[str] = mapped_column(String(32))
    owner_id: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime.datetime] = mapped_column(Timestamp, default=utcnow)
    expires_at: Mapped[datetime.datetime | None] = mapped_column(Timestamp, nullable=True)
