"""Persistence. Table modules outside models.py are imported here, so that Base.metadata
(migrations, tests) always holds every table."""
from albatross.db import addresses, indicators, events, logs, ui_sessions

__all__ = ["addresses", "indicators", "events", "logs", "ui_sessions"]
