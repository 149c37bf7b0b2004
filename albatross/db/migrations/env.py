"""Alembic environment: runs online against the URL given by albatross.db.migrate."""
from alembic import context

from albatross.db import fulltext
from albatross.db.engine import get_engine
from albatross.db.models import Base

config = context.config
url = config.get_main_option("sqlalchemy.url")
with get_engine(url).connect() as connection:
    context.configure(connection=connection, target_metadata=Base.metadata,
                      render_as_batch=url.startswith("sqlite"),
                      include_name=fulltext.include_name)
    with context.begin_transaction():
        context.run_migrations()
    if connection.in_transaction():
        connection.commit()
