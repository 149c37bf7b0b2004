"""The DB layer on each supported backend: SQLite (embedded default), PostgreSQL and MariaDB.
Each test module gets a fresh database migrated with Alembic. ALBATROSS_TEST_BACKENDS narrows
the list (e.g. "sqlite" on a laptop); CI runs all three."""
import os
import uuid

import pytest
import sqlalchemy as sa

from albatross.db import engine as db_engine
from albatross.db import migrate

ADMIN_URLS = {
    "postgresql": os.environ.get("ALBATROSS_TEST_PG_URL",
                                 "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"),
    "mariadb": os.environ.get("ALBATROSS_TEST_MYSQL_URL",
                              "mysql+pymysql://root@127.0.0.1:3306/mysql"),
}
BACKENDS = os.environ.get("ALBATROSS_TEST_BACKENDS", "sqlite,postgresql,mariadb").split(",")


def _create(backend: str, tmp_path) -> tuple[str, callable]:
    if backend == "sqlite":
        return f"sqlite:///{tmp_path}/albatross.sqlite", lambda: None
    name = f"albatross_test_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(ADMIN_URLS[backend], isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.exec_driver_sql(f"CREATE DATABASE {name}")
    url = ADMIN_URLS[backend].rsplit("/", 1)[0] + f"/{name}"
    if backend == "mariadb":
        url += "?charset=utf8mb4"

    def drop():
        db_engine.dispose(url)
        with admin.connect() as c:
            if backend == "postgresql":
                c.exec_driver_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
            else:
                c.exec_driver_sql(f"DROP DATABASE IF EXISTS {name}")
        admin.dispose()
    return url, drop


@pytest.fixture(params=BACKENDS)
def db_url(request, tmp_path):
    url, drop = _create(request.param, tmp_path)
    migrate.upgrade(url)
    yield url
    drop()


@pytest.fixture(params=BACKENDS)
def empty_db_url(request, tmp_path):
    url, drop = _create(request.param, tmp_path)
    yield url
    drop()
