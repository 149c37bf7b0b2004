"""resource_mappings (resource_type, owner, source_region, target_region): a task loads the
mappings of one region pair; the unique key has source_key before target_region, so that
load read every region's mappings of the owner (110 groups x 5,000 regions per task)

Revision ID: 0017
Revises: 0016
"""
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_mappings_region_pair", "resource_mappings",
                    ["resource_type", "owner", "source_region", "target_region"])


def downgrade():
    op.drop_index("ix_mappings_region_pair", table_name="resource_mappings")
