"""tasks (job_id, status): "has this job an unfinished task?" is asked after every task; by
job_id alone it read every task of the job, so a 10,000-task job cost 10,000 x 10,000 rows

Revision ID: 0016
Revises: 0015
"""
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_tasks_job_status", "tasks", ["job_id", "status"])


def downgrade():
    op.drop_index("ix_tasks_job_status", table_name="tasks")
