"""image rollouts, their history and the region snapshots they roll back to

Revision ID: 0005
Revises: 0004
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

# frozen here, not imported from models: a migration must not change when models do
Timestamp = sa.DateTime().with_variant(mysql.DATETIME(fsp=6), "mysql", "mariadb")


def upgrade():
    op.create_table(
        "image_rollouts",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("project_id", sa.String(64), nullable=False),
        sa.Column("user_id", sa.String(64), nullable=False),
        sa.Column("admin", sa.Boolean(), nullable=False),
        sa.Column("image_id", sa.String(36), nullable=False),
        sa.Column("image_name", sa.String(255), nullable=True),
        sa.Column("image_owner", sa.String(64), nullable=False),
        sa.Column("source_region", sa.String(128), nullable=False),
        sa.Column("waves", sa.JSON(), nullable=False),
        sa.Column("auto_approve", sa.Boolean(), nullable=False),
        sa.Column("state", sa.String(24), nullable=False),
        sa.Column("wave", sa.Integer(), nullable=False),
        sa.Column("rollback_job_id", sa.String(36), nullable=True),
        sa.Column("created_at", Timestamp, nullable=False),
        sa.Column("updated_at", Timestamp, nullable=False),
    )
    op.create_index("ix_image_rollouts_project_id", "image_rollouts", ["project_id"])
    op.create_index("ix_image_rollouts_state", "image_rollouts", ["state"])
    op.create_table(
        "rollout_events",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("rollout_id", sa.String(36),
                  sa.ForeignKey("image_rollouts.id", ondelete="CASCADE"), nullable=False),
        sa.Column("event", sa.String(32), nullable=False),
        sa.Column("actor", sa.String(64), nullable=False),
        sa.Column("from_state", sa.String(24), nullable=True),
        sa.Column("to_state", sa.String(24), nullable=False),
        sa.Column("wave", sa.Integer(), nullable=True),
        sa.Column("job_id", sa.String(36), nullable=True),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.Column("created_at", Timestamp, nullable=False),
    )
    op.create_index("ix_rollout_events_rollout", "rollout_events", ["rollout_id", "id"])
    op.create_table(
        "rollout_snapshots",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("rollout_id", sa.String(36),
                  sa.ForeignKey("image_rollouts.id", ondelete="CASCADE"), nullable=False),
        sa.Column("region", sa.String(128), nullable=False),
        sa.Column("images", sa.JSON(), nullable=False),
        sa.Column("taken_at", Timestamp, nullable=False),
        sa.UniqueConstraint("rollout_id", "region", name="uq_rollout_snapshot"),
    )


def downgrade():
    op.drop_table("rollout_snapshots")
    op.drop_table("rollout_events")
    op.drop_table("image_rollouts")
