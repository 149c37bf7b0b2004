"""quota_overshoots: resources whose usage is over the global limit, since when

Revision ID: 0013
Revises: 0012
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

Timestamp = sa.DateTime().with_variant(mysql.DATETIME(fsp=6), "mysql", "mariadb")


def upgrade():
    op.create_table(
        "quota_overshoots",
        sa.Column("project_id", sa.String(64), primary_key=True),
        sa.Column("resource", sa.String(64), primary_key=True),
        sa.Column("global_limit", sa.Integer, nullable=False),
        sa.Column("total_usage", sa.Integer, nullable=False),
        sa.Column("regions", sa.Text, nullable=False),
        sa.Column("since", Timestamp, nullable=False),
        sa.Column("updated_at", Timestamp, nullable=False),
    )


def downgrade():
    op.drop_table("quota_overshoots")
