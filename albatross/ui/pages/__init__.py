"""Page modules, each with its ROUTES (handlers) beside its templates."""
from albatross.ui.pages import auth, jobs, overview, static


def all_routes() -> list:
    return auth.ROUTES + static.ROUTES + overview.ROUTES + jobs.ROUTES
