"""indicator time series

Revision ID: 0007
Revises: 0006
"""
import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401
from sqlalchemy.dialects import mysql

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

# frozen here, not imported from models: a migration must not change when models do
Timestamp = sa.DateTime().with_variant(mysql.DATETIME(fsp=6), "mysql", "mariadb")


def upgrade():
    pass


def downgrade():
    pass
