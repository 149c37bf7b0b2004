"""The address inventory (one row per Neutron object per region, with when it was seen),
refresh bookkeeping, address plans and CIDR allocations."""
import dataclasses
import datetime
import uuid

from sqlalchemy import (JSON, Index, Integer, String, Text, UniqueConstraint, delete, select,
                        update)
from sqlalchemy.orm import Mapped, mapped_column

from albatross.addresses.model import FloatingIP, Port, RouterGateway, Subnet
from albatross.db.engine import session_scope
from albatross.db.models import Base, Timestamp, utcnow

KINDS = {"subnet": Subnet, "port": Port, "floating_ip": FloatingIP,
         "router_gateway": RouterGateway}
_ID_FIELD = {"subnet": "subnet_id", "port": "port_id", "floating_ip": "fip_id",
             "router_gateway": "router_id"}


class AddressRecord(Base):
    __tablename__ = "address_records"
    __table_args__ = (UniqueConstraint("region", "kind", "object_id", name="uq_address_record"),
                      Index("ix_address_records_project", "project_id", "kind"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    project_id: Mapped[str] = mapped_column(String(64))
    region: Mapped[str] = mapped_column(String(128))
    kind: Mapped[str] = mapped_column(String(16))
    object_id: Mapped[str] = mapped_column(String(64))
    data: Mapped[dict] = mapped_column(JSON)
    seen_at: Mapped[datetime.datetime] = mapped_column(Timestamp, default=utcnow)


class AddressRefresh(Base):
    """When a project's inventory of one region was last read in full and incrementally,
    and why the last read failed (the region's rows are then kept, with their old seen_at)."""
    __tablename__ = "address_refreshes"

    project_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    region: Mapped[str] = mapped_column(String(128), primary_key=True)
    full_at: Mapped[datetime.datetime | None] = mapped_column(Timestamp, nullable=True)
    incremental_at: Mapped[datetime.datetime | None] = mapped_column(Timestamp, nullable=True)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)


class AddressPlan(Base):
    """A project's global address plan: its supernets, and which networks are joined
    (network id -> connectivity group; networks not named form the default group)."""
    __tablename__ = "address_plans"

    project_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    supernets: Mapped[list] = mapped_column(JSON, default=list)
    groups: Mapped[dict] = mapped_column(JSON, default=dict)
    updated_at: Mapped[datetime.datetime] = mapped_column(Timestamp, default=utcnow,
                                                          onupdate=utcnow)


class AddressAllocation(Base):
    """A CIDR handed out from a plan: reserved before the subnet is created in Neutron, so a
    concurrent allocation sees it as used."""
    __tablename__ = "address_allocations"
    __table_args__ = (Index("ix_address_allocations_project", "project_id", "status"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True,
                                    default=lambda: str(uuid.uuid4()))
    project_id: Mapped[str] = mapped_column(String(64))
    region: Mapped[str] = mapped_column(String(128))
    network_id: Mapped[str] = mapped_column(String(64))
    cidr: Mapped[str] = mapped_column(String(64))
    ip_version: Mapped[int] = mapped_column(Integer)
    subnet_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    status: Mapped[str] = mapped_column(String(16))  # reserved | created | failed
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime.datetime] = mapped_column(Timestamp, default=utcnow)
    updated_at: Mapped[datetime.datetime] = mapped_column(Timestamp, default=utcnow,
                                                          onupdate=utcnow)


def _record_data(obj) -> dict:
    return {k: (list(map(list, v)) if isinstance(v, tuple) and v and isinstance(v[0], tuple)
                else list(v) if isinstance(v, tuple) else v)
            for k, v in obj.__dict__.items()}


def _from_row(row: AddressRecord):
    """The model record of a row. Fields added since the row was written (names) take their
    defaults; fields this version does not know (written by a newer one) are dropped."""
    cls = KINDS[row.kind]
    known = {f.name for f in dataclasses.fields(cls)}
    data = {k: v for k, v in row.data.items() if k in known}
    for key in ("allocation_pools", "fixed_ips"):
        if key in data:
            data[key] = tuple(tuple(x) for x in data[key])
    if "ips" in data:
        data["ips"] = tuple(data["ips"])
    return cls(**data)


class AddressStore:
    def __init__(self, db_url: str):
        self.db_url = db_url

    def replace(self, project_id: str, region: str, inventory: dict[str, list],
                full: bool) -> None:
        """Write one region's read of a project. Full: the rows of that project and region
        become exactly these. Incremental: these rows are inserted or updated."""
        now = utcnow()
        kinds = {"subnets": "subnet", "ports": "port", "floating_ips": "floating_ip",
                 "router_gateways": "router_gateway"}
        with session_scope(self.db_url) as s:
            if full:
                s.execute(delete(AddressRecord).where(AddressRecord.project_id == project_id,
                                                      AddressRecord.region == region))
            for key, kind in kinds.items():
                for obj in inventory.get(key, ()):
                    object_id = getattr(obj, _ID_FIELD[kind])
                    if not full:
                        s.execute(delete(AddressRecord).where(
                            AddressRecord.region == region, AddressRecord.kind == kind,
                            AddressRecord.object_id == object_id))
                    s.add(AddressRecord(project_id=project_id, region=region, kind=kind,
                                        object_id=object_id, data=_record_data(obj),
                                        seen_at=now))
            state = s.get(AddressRefresh, (project_id, region))
            if state is None:
                state = AddressRefresh(project_id=project_id, region=region)
                s.add(state)
            state.error = None
            if full:
                state.full_at = now
            state.incremental_at = now

    def failed(self, project_id: str, region: str, error: str) -> None:
        with session_scope(self.db_url) as s:
            state = s.get(AddressRefresh, (project_id, region))
            if state is None:
                s.add(AddressRefresh(project_id=project_id, region=region, error=error))
            else:
                state.error = error

    def refreshes(self, project_id: str | None = None) -> list[AddressRefresh]:
        with session_scope(self.db_url) as s:
            q = select(AddressRefresh)
            if project_id is not None:
                q = q.where(AddressRefresh.project_id == project_id)
            return list(s.scalars(q))

    def load(self, project_id: str | None, kinds=None) -> dict[str, list]:
        """Model records by kind, with `seen_at` per (region, kind, object id)."""
        with session_scope(self.db_url) as s:
            q = select(AddressRecord)
            if project_id is not None:
                q = q.where(AddressRecord.project_id == project_id)
            if kinds:
                q = q.where(AddressRecord.kind.in_(kinds))
            rows = list(s.scalars(q))
        out: dict[str, list] = {k: [] for k in KINDS}
        for row in rows:
            out[row.kind].append((_from_row(row), row.seen_at))
        return out

    # ---- plans and allocations -----------------------------------------------------------
    def plan(self, project_id: str) -> AddressPlan | None:
        with session_scope(self.db_url) as s:
            return s.get(AddressPlan, project_id)

    def set_plan(self, project_id: str, supernets: list[str], groups: dict) -> AddressPlan:
        with session_scope(self.db_url) as s:
            plan = s.get(AddressPlan, project_id)
            if plan is None:
                plan = AddressPlan(project_id=project_id)
                s.add(plan)
            plan.supernets, plan.groups = supernets, groups
            s.flush()
            return plan

    def reserved(self, project_id: str, ttl: float = 600.0) -> list[AddressAllocation]:
        """Allocations whose subnet is being created now (a reservation older than `ttl`
        seconds was left by a crash: its subnet exists in Neutron or never will)."""
        since = utcnow() - datetime.timedelta(seconds=ttl)
        with session_scope(self.db_url) as s:
            return list(s.scalars(select(AddressAllocation).where(
                AddressAllocation.project_id == project_id,
                AddressAllocation.status == "reserved", AddressAllocation.created_at > since)))

    def reserve(self, **fields) -> AddressAllocation:
        with session_scope(self.db_url) as s:
            row = AddressAllocation(status="reserved", **fields)
            s.add(row)
            s.flush()
            return row

    def settle(self, allocation_id: str, *, subnet_id: str | None = None,
               error: str | None = None) -> None:
        with session_scope(self.db_url) as s:
            s.execute(update(AddressAllocation).where(AddressAllocation.id == allocation_id)
                      .values(status="failed" if error else "created", subnet_id=subnet_id,
                              error=error))
