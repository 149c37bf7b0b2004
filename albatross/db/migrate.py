"""`albatross db upgrade` and friends: Alembic with the scripts shipped in this package."""
import os

from alembic import command
from alembic.config import Config

MIGRATIONS_DIR = os.path.join(os.path.dirname(__file__), "migrations")


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", MIGRATIONS_DIR)
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(url), revision)


def downgrade(url: str, revision: str) -> None:
    command.downgrade(alembic_config(url), revision)


def current(url: str) -> str | None:
    from alembic.runtime.migration import MigrationContext

    from albatross.db.engine import get_engine
    with get_engine(url).connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def head() -> str:
    from alembic.script import ScriptDirectory
    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()


def require_current(url: str) -> None:
    """Refuse to serve a database whose schema is older (or newer) than this code."""
    have, want = current(url), head()
    if have != want:
        raise SystemExit(f"the database is at revision {have or 'none'}, this Albatross needs "
                         f"{want}: run `albatross db upgrade` first")
