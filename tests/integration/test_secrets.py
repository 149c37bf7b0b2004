"""Secrets and tokens never reach the service's log. Runs last in this directory's order."""
import pytest

pytestmark = pytest.mark.devcloud


def test_no_token_or_password_in_logs(albatross, users, devcloud):
    users["demo"].call("GET", "/v1/jobs")
    users["alt"].call("GET", "/v1/regions")
    log = albatross.log()
    assert "Albatross API on" in log  # the log is the right one and not empty
    for user in users.values():
        assert user.token not in log
    assert f"password = {devcloud['password']}" not in log
    assert ":secret@" not in log
    # the dashboard's browser tests ran before (tests/integration/browser/): no session key
    # nor login form reached the log either
    assert "albatross_session=" not in log and "csrf_token=" not in log
