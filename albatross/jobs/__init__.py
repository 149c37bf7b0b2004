"""Durable jobs: rows in the DB, leased by workers (embedded threads or Celery processes)."""
