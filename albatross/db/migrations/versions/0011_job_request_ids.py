"""request id of each job

Revision ID: 0011
Revises: 0010
"""
import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

# plain ALTER TABLE on every backend (SQLite >= 3.35 drops columns itself): a batch copy of
# `jobs` would DROP the table, and SQLite's foreign keys would cascade that to every task


def upgrade():
    # nullable: the jobs made before this revision have none
    op.add_column("jobs", sa.Column("request_id", sa.String(64), nullable=True))


def downgrade():
    op.drop_column("jobs", "request_id")
