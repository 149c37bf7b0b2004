"""jobs.task_payload: what every task of a job shares (a security group sync's or an audit's
source snapshot), stored once rather than in each target region's task

Revision ID: 0015
Revises: 0014
"""
import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


# plain ALTER TABLE (as 0011): a batch copy of `jobs` would DROP the table, and SQLite's
# foreign keys would cascade that to every task


def upgrade():
    op.add_column("jobs", sa.Column("task_payload", sa.JSON, nullable=True))


def downgrade():
    # put the shared part back into each task before the column goes
    conn = op.get_bind()
    jobs = sa.table("jobs", sa.column("id", sa.String), sa.column("task_payload", sa.JSON))
    tasks = sa.table("tasks", sa.column("id", sa.String), sa.column("job_id", sa.String),
                     sa.column("payload", sa.JSON))
    for job_id, shared in conn.execute(sa.select(jobs.c.id, jobs.c.task_payload)).all():
        if not shared:   # SQL NULL or JSON null
            continue
        for task_id, payload in conn.execute(sa.select(tasks.c.id, tasks.c.payload)
                                             .where(tasks.c.job_id == job_id)).all():
            conn.execute(tasks.update().where(tasks.c.id == task_id)
                         .values(payload={**shared, **(payload or {})}))
    op.drop_column("jobs", "task_payload")
