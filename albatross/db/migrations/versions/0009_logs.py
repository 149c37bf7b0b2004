"""shipped service logs

Revision ID: 0009
Revises: 0008
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

from albatross.db.fulltext import FullText

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

# frozen here, not imported from models: a migration must not change when models do
Timestamp = sa.DateTime().with_variant(mysql.DATETIME(fsp=6), "mysql", "mariadb")
LineId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
LongText = sa.Text().with_variant(mysql.MEDIUMTEXT(), "mysql", "mariadb")
TEXT = FullText("log_lines", ("message",))


def upgrade():
    op.create_table(
        "log_lines",
        sa.Column("id", LineId, primary_key=True, autoincrement=True),
        sa.Column("time", Timestamp, nullable=False),
        sa.Column("received_at", Timestamp, nullable=False),
        sa.Column("region", sa.String(128), nullable=False),
        sa.Column("service", sa.String(64), nullable=False),
        sa.Column("host", sa.String(255), nullable=False),
        sa.Column("level", sa.String(16), nullable=False),
        sa.Column("logger", sa.String(255), nullable=True),
        sa.Column("pid", sa.Integer(), nullable=True),
        sa.Column("message", LongText, nullable=False),
        sa.Column("request_ids", sa.String(1024), nullable=True),
        sa.Column("raw", LongText, nullable=True),
        sa.Column("extra", sa.JSON(), nullable=True),
        sa.Column("dedup_key", sa.String(128), nullable=True),
        sa.UniqueConstraint("dedup_key", name="uq_log_lines_dedup_key"),
    )
    op.create_index("ix_log_lines_time", "log_lines", ["time", "id"])
    op.create_index("ix_log_lines_source", "log_lines", ["region", "service", "time"])
    op.create_index("ix_log_lines_received", "log_lines", ["received_at", "id"])
    op.create_table(
        "log_request_ids",
        sa.Column("log_id", LineId, sa.ForeignKey("log_lines.id", ondelete="CASCADE"),
                  primary_key=True),
        sa.Column("request_id", sa.String(64), primary_key=True),
    )
    op.create_index("ix_log_request_ids_request", "log_request_ids", ["request_id", "log_id"])
    TEXT.create()


def downgrade():
    TEXT.drop()
    op.drop_index("ix_log_request_ids_request", table_name="log_request_ids")
    op.drop_table("log_request_ids")
    op.drop_index("ix_log_lines_received", table_name="log_lines")
    op.drop_index("ix_log_lines_source", table_name="log_lines")
    op.drop_index("ix_log_lines_time", table_name="log_lines")
    op.drop_table("log_lines")
