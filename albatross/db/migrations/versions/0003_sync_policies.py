"""sync policies, drift events, named locks; mapping details

Revision ID: 0003
Revises: 0002
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

# frozen here, not imported from models: a migration must not change when models do
Timestamp = sa.DateTime().with_variant(mysql.DATETIME(fsp=6), "mysql", "mariadb")


def upgrade():
    with op.batch_alter_table("resource_mappings") as batch:
        batch.add_column(sa.Column("details", sa.JSON(), nullable=True))
    op.create_table(
        "sync_policies",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("project_id", sa.String(64), nullable=False),
        sa.Column("user_id", sa.String(64), nullable=False),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("resource_type", sa.String(32), nullable=False),
        sa.Column("source_region", sa.String(128), nullable=False),
        sa.Column("target_regions", sa.JSON(), nullable=False),
        sa.Column("selector", sa.JSON(), nullable=False),
        sa.Column("propagate_deletes", sa.Boolean(), nullable=False),
        sa.Column("repair", sa.Boolean(), nullable=False),
        sa.Column("interval", sa.Integer(), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("last_audit_at", Timestamp, nullable=True),
        sa.Column("last_job_id", sa.String(36), nullable=True),
        sa.Column("created_at", Timestamp, nullable=False),
        sa.Column("updated_at", Timestamp, nullable=False),
        sa.UniqueConstraint("project_id", "name", name="uq_sync_policy_name"),
    )
    op.create_index("ix_sync_policies_project_id", "sync_policies", ["project_id"])
    op.create_table(
        "drift_events",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("project_id", sa.String(64), nullable=False),
        sa.Column("policy_id", sa.String(36), nullable=True),
        sa.Column("job_id", sa.String(36), nullable=True),
        sa.Column("region", sa.String(128), nullable=False),
        sa.Column("resource_type", sa.String(32), nullable=False),
        sa.Column("resource", sa.String(255), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.Column("repaired", sa.Boolean(), nullable=False),
        sa.Column("created_at", Timestamp, nullable=False),
    )
    op.create_index("ix_drift_events_project", "drift_events", ["project_id", "created_at"])
    op.create_index("ix_drift_events_policy_id", "drift_events", ["policy_id"])
    op.create_table(
        "sync_locks",
        sa.Column("name", sa.String(255), primary_key=True),
        sa.Column("owner", sa.String(255), nullable=False),
        sa.Column("expires_at", Timestamp, nullable=False),
    )


def downgrade():
    op.drop_table("sync_locks")
    op.drop_index("ix_drift_events_policy_id", table_name="drift_events")
    op.drop_index("ix_drift_events_project", table_name="drift_events")
    op.drop_table("drift_events")
    op.drop_index("ix_sync_policies_project_id", table_name="sync_policies")
    op.drop_table("sync_policies")
    with op.batch_alter_table("resource_mappings") as batch:
        batch.drop_column("details")
