"""trusts: the Keystone trusts through which jobs and policies act for their users

Revision ID: 0012
Revises: 0011
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

Timestamp = sa.DateTime().with_variant(mysql.DATETIME(fsp=6), "mysql", "mariadb")
# what acts through a trust; NULL: made before 0012 (such work cannot act for its user).
# A project's image auto mode finds its trust by owner (trusts.owner_kind image_auto).
USERS = ("jobs", "sync_policies", "image_rollouts")


def upgrade():
    op.create_table(
        "trusts",
        sa.Column("id", sa.String(64), primary_key=True),  # Keystone's trust id
        sa.Column("project_id", sa.String(64), nullable=False, index=True),
        sa.Column("user_id", sa.String(64), nullable=False),
        sa.Column("owner_kind", sa.String(32), nullable=False),
        sa.Column("owner_id", sa.String(64), nullable=False),
        sa.Column("created_at", Timestamp, nullable=False),
        sa.Column("expires_at", Timestamp, nullable=True),
    )
    op.create_index("ix_trusts_owner", "trusts", ["owner_kind", "owner_id"])
    for table in USERS:  # plain ALTER TABLE: see 0011
        op.add_column(table, sa.Column("trust_id", sa.String(64), nullable=True))


def downgrade():
    for table in USERS:
        op.drop_column(table, "trust_id")
    op.drop_index("ix_trusts_owner", table_name="trusts")
    op.drop_table("trusts")
