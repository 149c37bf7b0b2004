"""tasks as the one work queue: controller items (no job) keyed by queue_key, unique, so the
same background work is never queued twice; `dirty` asks for one more run after this one

Revision ID: 0014
Revises: 0013
"""
import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("tasks") as batch:
        batch.alter_column("job_id", existing_type=sa.String(36), nullable=True)
        batch.add_column(sa.Column("queue_key", sa.String(191), nullable=True))
        batch.add_column(sa.Column("dirty", sa.Boolean, nullable=False,
                                   server_default=sa.false()))
        batch.create_index("ux_tasks_queue_key", ["queue_key"], unique=True)


def downgrade():
    op.execute("DELETE FROM tasks WHERE job_id IS NULL")
    with op.batch_alter_table("tasks") as batch:
        batch.drop_index("ux_tasks_queue_key")
        batch.drop_column("dirty")
        batch.drop_column("queue_key")
        batch.alter_column("job_id", existing_type=sa.String(36), nullable=False)
