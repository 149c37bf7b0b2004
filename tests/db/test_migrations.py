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
