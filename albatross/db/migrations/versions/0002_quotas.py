"""global quotas: limits, classes, allowances per region, events

Revision ID: 0002
Revises: 0001
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

# frozen here, not imported from models: a migration must not change when models do
Timestamp = sa.DateTime().with_variant(mysql.DATETIME(fsp=6), "mysql", "mariadb")


def upgrade():
    op.create_table(
        "quota_limits",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("project_id", sa.String(64), nullable=False),
        sa.Column("resource", sa.String(64), nullable=False),
        sa.Column("hard_limit", sa.Integer(), nullable=True),
        sa.Column("soft_absolute", sa.Integer(), nullable=True),
        sa.Column("soft_percent", sa.Float(), nullable=True),
        sa.Column("soft_over", sa.Boolean(), nullable=False),
        sa.Column("updated_at", Timestamp, nullable=False),
        sa.UniqueConstraint("project_id", "resource", name="uq_quota_limit"),
    )
    op.create_table(
        "quota_classes",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("class_name", sa.String(255), nullable=False),
        sa.Column("resource", sa.String(64), nullable=False),
        sa.Column("hard_limit", sa.Integer(), nullable=False),
        sa.UniqueConstraint("class_name", "resource", name="uq_quota_class"),
    )
    op.create_table(
        "project_quota_classes",
        sa.Column("project_id", sa.String(64), primary_key=True),
        sa.Column("class_name", sa.String(255), nullable=False),
    )
    op.create_table(
        "quota_allowances",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("project_id", sa.String(64), nullable=False),
        sa.Column("resource", sa.String(64), nullable=False),
        sa.Column("region", sa.String(128), nullable=False),
        sa.Column("native_limit", sa.Integer(), nullable=True),
        sa.Column("usage", sa.Integer(), nullable=False),
        sa.Column("updated_at", Timestamp, nullable=False),
        sa.UniqueConstraint("project_id", "resource", "region", name="uq_quota_allowance"),
    )
    op.create_table(
        "quota_events",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("project_id", sa.String(64), nullable=False),
        sa.Column("resource", sa.String(64), nullable=True),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("usage", sa.Integer(), nullable=True),
        sa.Column("threshold", sa.Integer(), nullable=True),
        sa.Column("hard_limit", sa.Integer(), nullable=True),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.Column("created_at", Timestamp, nullable=False),
    )
    op.create_index("ix_quota_events_project", "quota_events", ["project_id", "created_at"])


def downgrade():
    op.drop_table("quota_events")
    op.drop_table("quota_allowances")
    op.drop_table("project_quota_classes")
    op.drop_table("quota_classes")
    op.drop_table("quota_limits")
