"""SQL storage: models, engine/session, and Alembic migrations under migrations/."""
