"""events from the regions' buses and the audit trail

Revision ID: 0008
Revises: 0007
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

from albatross.db.fulltext import FullText

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

# frozen here, not imported from models: a migration must not change when models do
Timestamp = sa.DateTime().with_variant(mysql.DATETIME(fsp=6), "mysql", "mariadb")


SEARCH = FullText("events", ("summary",))


def upgrade():
    op.create_table(
        "events",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("time", Timestamp, nullable=False),
        sa.Column("region", sa.String(128), nullable=False),
        sa.Column("service", sa.String(64), nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("event_type", sa.String(255), nullable=False),
        sa.Column("project_id", sa.String(64), nullable=True),
        sa.Column("user_id", sa.String(64), nullable=True),
        sa.Column("request_id", sa.String(64), nullable=True),
        sa.Column("resource_id", sa.String(255), nullable=True),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
    )
    op.create_index("ix_events_project_time", "events", ["project_id", "time"])
    op.create_index("ix_events_time", "events", ["time"])
    op.create_index("ix_events_request_id", "events", ["request_id"])
    SEARCH.create()


def downgrade():
    SEARCH.drop()
    op.drop_index("ix_events_request_id", table_name="events")
    op.drop_index("ix_events_time", table_name="events")
    op.drop_index("ix_events_project_time", table_name="events")
    op.drop_table("events")
