"""Page modules, each with its ROUTES (handlers) beside its templates."""
from albatross.ui.pages import addresses, auth, events, jobs, overview, static
from albatross.ui.pages import quotas, sync
from albatross.ui.pages import images


def all_routes() -> list:
    return (auth.ROUTES + static.ROUTES + overview.ROUTES + jobs.ROUTES + addresses.ROUTES
            + events.ROUTES + quotas.ROUTES + sync.ROUTES
            + images.ROUTES)
