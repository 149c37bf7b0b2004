"""indicator time series

Revision ID: 0007
Revises: 0006
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

# frozen here, not imported from models: a migration must not change when models do
Timestamp = sa.DateTime().with_variant(mysql.DATETIME(fsp=6), "mysql", "mariadb")


def upgrade():
    op.create_table(
        "indicator_series",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("region", sa.String(128), nullable=False),
        sa.Column("project_id", sa.String(64), nullable=False),
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("last_value", sa.Double(), nullable=True),
        sa.Column("last_at", Timestamp, nullable=True),
        sa.UniqueConstraint("name", "region", "project_id", "key", name="uq_indicator_series"),
    )
    op.create_table(
        "indicator_samples",
        sa.Column("series_id", sa.Integer(), sa.ForeignKey("indicator_series.id"),
                  primary_key=True),
        sa.Column("ts", Timestamp, primary_key=True),
        sa.Column("value", sa.Double(), nullable=False),
    )
    op.create_index("ix_indicator_samples_ts", "indicator_samples", ["ts"])
    op.create_table(
        "indicator_rollups",
        sa.Column("series_id", sa.Integer(), sa.ForeignKey("indicator_series.id"),
                  primary_key=True),
        sa.Column("step", sa.Integer(), primary_key=True),
        sa.Column("ts", Timestamp, primary_key=True),
        sa.Column("samples", sa.Integer(), nullable=False),
        sa.Column("total", sa.Double(), nullable=False),
        sa.Column("low", sa.Double(), nullable=False),
        sa.Column("high", sa.Double(), nullable=False),
    )
    op.create_index("ix_indicator_rollups_step_ts", "indicator_rollups", ["step", "ts"])
    op.create_table(
        "indicator_rollup_marks",
        sa.Column("step", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("rolled_until", Timestamp, nullable=False),
    )
    op.create_table(
        "indicator_regions",
        sa.Column("region", sa.String(128), primary_key=True),
        sa.Column("up", sa.Boolean(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("checked_at", Timestamp, nullable=False),
        sa.Column("since", Timestamp, nullable=False),
    )


def downgrade():
    op.drop_table("indicator_regions")
    op.drop_table("indicator_rollup_marks")
    op.drop_index("ix_indicator_rollups_step_ts", table_name="indicator_rollups")
    op.drop_table("indicator_rollups")
    op.drop_index("ix_indicator_samples_ts", table_name="indicator_samples")
    op.drop_table("indicator_samples")
    op.drop_table("indicator_series")
