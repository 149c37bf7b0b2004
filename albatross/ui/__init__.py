"""The web dashboard, served under /ui by `albatross serve`: a client of the API."""
