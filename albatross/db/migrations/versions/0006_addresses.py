"""address inventory, refreshes, plans and allocations

Revision ID: 0006
Revises: 0005
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

# frozen here, not imported from models: a migration must not change when models do
Timestamp = sa.DateTime().with_variant(mysql.DATETIME(fsp=6), "mysql", "mariadb")


def upgrade():
    op.create_table(
        "address_records",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("project_id", sa.String(64), nullable=False),
        sa.Column("region", sa.String(128), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("object_id", sa.String(64), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("seen_at", Timestamp, nullable=False),
        sa.UniqueConstraint("region", "kind", "object_id", name="uq_address_record"),
    )
    op.create_index("ix_address_records_project", "address_records", ["project_id", "kind"])
    op.create_table(
        "address_refreshes",
        sa.Column("project_id", sa.String(64), primary_key=True),
        sa.Column("region", sa.String(128), primary_key=True),
        sa.Column("full_at", Timestamp, nullable=True),
        sa.Column("incremental_at", Timestamp, nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
    )
    op.create_table(
        "address_plans",
        sa.Column("project_id", sa.String(64), primary_key=True),
        sa.Column("supernets", sa.JSON(), nullable=False),
        sa.Column("groups", sa.JSON(), nullable=False),
        sa.Column("updated_at", Timestamp, nullable=False),
    )
    op.create_table(
        "address_allocations",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("project_id", sa.String(64), nullable=False),
        sa.Column("region", sa.String(128), nullable=False),
        sa.Column("network_id", sa.String(64), nullable=False),
        sa.Column("cidr", sa.String(64), nullable=False),
        sa.Column("ip_version", sa.Integer(), nullable=False),
        sa.Column("subnet_id", sa.String(64), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("created_at", Timestamp, nullable=False),
        sa.Column("updated_at", Timestamp, nullable=False),
    )
    op.create_index("ix_address_allocations_project", "address_allocations",
                    ["project_id", "status"])


def downgrade():
    op.drop_index("ix_address_allocations_project", table_name="address_allocations")
    op.drop_table("address_allocations")
    op.drop_table("address_plans")
    op.drop_table("address_refreshes")
    op.drop_index("ix_address_records_project", table_name="address_records")
    op.drop_table("address_records")
