"""Migrations create exactly the tables the models describe, and go down and up again."""
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from albatross.db import fulltext, migrate
from albatross.db.engine import get_engine
from albatross.db.models import Base


def test_upgrade_matches_models_and_round_trips(empty_db_url):
    migrate.upgrade(empty_db_url)
    assert migrate.current(empty_db_url) == migrate.head()
    with get_engine(empty_db_url).connect() as conn:
        context = MigrationContext.configure(conn, opts={"include_name": fulltext.include_name})
        diff = compare_metadata(context, Base.metadata)
    assert diff == []
    migrate.downgrade(empty_db_url, "base")
    tables = sa.inspect(get_engine(empty_db_url)).get_table_names()
    assert not {"jobs", "tasks", "resource_mappings", "quota_limits", "quota_events",
                "sync_policies", "drift_events", "sync_locks"} & set(tables)
    migrate.upgrade(empty_db_url)
    assert migrate.current(empty_db_url) == migrate.head()


def test_0011_job_request_ids_keep_jobs_and_tasks_both_ways(empty_db_url):
    """The column comes and goes with ALTER TABLE: jobs and their tasks stay (a batch copy
    of `jobs` on SQLite would have cascaded its DROP to every task)."""
    from albatross.db.jobs import JobStore, TaskSpec
    migrate.upgrade(empty_db_url)
    store = JobStore(empty_db_url)
    job_id, _ = store.create_job(
        project_id="p", user_id="u", kind="keypair_sync", params={},
        request_id="req-6e4eb974-d41f-4142-8411-8771b211c40d",
        tasks=[TaskSpec("keypair", "kp", "R1", "R2")])
    assert store.get_job(job_id)[0].request_id == "req-6e4eb974-d41f-4142-8411-8771b211c40d"
    engine = get_engine(empty_db_url)

    def counts():
        with engine.connect() as c:
            return (c.exec_driver_sql("SELECT count(*) FROM jobs").scalar(),
                    c.exec_driver_sql("SELECT count(*) FROM tasks").scalar())

    migrate.downgrade(empty_db_url, "0010")
    assert "request_id" not in {c["name"] for c in sa.inspect(engine).get_columns("jobs")}
    assert counts() == (1, 1)
    migrate.upgrade(empty_db_url)
    assert counts() == (1, 1)
    job, tasks = store.get_job(job_id)
    assert job.request_id is None and len(tasks) == 1  # made before: none
