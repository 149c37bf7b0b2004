"""Pure logic: job state derivation, keypair diff, secret redaction, validation messages."""
import string

import pytest
from hypothesis import given
from hypothesis import strategies as st

from albatross.api.validation import validate
from albatross.exceptions import BadRequest
from albatross.db import job_states as states
from albatross.log import redact
from albatross.reconcilers.keypairs import KeypairState, diff_keypair

counts = st.dictionaries(st.sampled_from(states.TASK_STATES), st.integers(0, 5))


@given(counts)
def test_job_status_is_terminal_only_when_every_task_is(c):
    status = states.job_status(c)
    unfinished = c.get("QUEUED", 0) + c.get("RUNNING", 0)
    assert (status in ("SUCCESS", "FAILED")) == (unfinished == 0)
    if unfinished == 0:
        assert (status == "FAILED") == (c.get("FAILED", 0) > 0)
    if status == "QUEUED":
        assert sum(c.values()) == c.get("QUEUED", 0) > 0


b64 = st.text(string.ascii_letters + string.digits + "+/", min_size=8, max_size=40)
comments = st.text(string.ascii_letters + "@.-", max_size=12)


@given(b64, b64, comments, comments, st.booleans())
def test_keypair_diff(key_a, key_b, comment_a, comment_b, force):
    src = KeypairState("k", f"ssh-rsa {key_a} {comment_a}".strip())
    assert diff_keypair(src, None, force).action == "create"
    same_key = KeypairState("k", f"ssh-rsa {key_a} {comment_b}".strip())
    assert diff_keypair(src, same_key, force).action == "none"  # comments don't matter
    other = KeypairState("k", f"ssh-rsa {key_b}", fingerprint="aa:bb")
    plan = diff_keypair(src, other, force)
    if key_a == key_b:
        assert plan.action == "none"
    else:
        assert plan.action == ("replace" if force else "conflict")
        if not force:
            assert "aa:bb" in plan.reason and "force" in plan.reason


def test_keypair_type_difference_is_a_difference():
    ssh = KeypairState("k", "ssh-rsa AAAA", "ssh")
    x509 = KeypairState("k", "ssh-rsa AAAA", "x509")
    assert diff_keypair(ssh, x509, False).action == "conflict"


@pytest.mark.parametrize("line", [
    "X-Auth-Token: gAAAAABlongtokenvalue1234567890abcdefghijklmnopqrstuvwxyz",
    '{"password": "hunter2", "user": "bob"}',
    "connecting to amqp://guest:hunter2@127.0.0.1:5672//",
    "token=abc123secret&x=1",
    "header X-Subject-Token=deadbeefcafe",
])
def test_redaction_removes_secrets(line):
    out = redact(line)
    for secret in ("hunter2", "abc123secret", "deadbeefcafe", "longtokenvalue"):
        assert secret not in out
    assert "***" in out


def test_redaction_leaves_plain_text():
    assert redact("job 1234 finished in RegionTwo") == "job 1234 finished in RegionTwo"


@given(st.integers() | st.floats(allow_nan=False) | st.booleans() | st.none())
def test_validation_names_the_field_for_any_wrong_type(value):
    schema = {"type": "object", "properties": {"a": {"type": "object", "properties": {
        "b": {"type": "array", "items": {"type": "string"}}}}}}
    with pytest.raises(BadRequest) as err:
        validate(schema, {"a": {"b": ["ok", value]}})
    assert err.value.field == "a.b[1]"


def test_failures_are_classified_for_retry_and_readability():
    from keystoneauth1 import exceptions as ks_exc
    from openstack import exceptions as sdk_exc

    from albatross.reconcilers.errors import classify
    from albatross.reconcilers.base import Conflict
    down = classify(ks_exc.ConnectFailure("refused http://x:8774"), "R2")
    assert down.message == "R2: service unreachable (connection failed)"
    assert down.transient and not down.unexpected and "8774" not in down.message
    assert not classify(Conflict("different key"), "R2").transient
    server_error = classify(sdk_exc.HttpException("boom", http_status=503), "R2")
    assert server_error.transient and "HTTP 503" in server_error.message
    client_error = classify(sdk_exc.HttpException("bad", http_status=400), "R2")
    assert not client_error.transient
    bug = classify(KeyError("x"), "R2")
    assert bug.unexpected and not bug.transient and bug.message == "R2: internal error (KeyError)"


def test_regions_failed_is_retried_only_when_a_failure_was_transient():
    from albatross.reconcilers.errors import classify
    from albatross.reconcilers.base import RegionsFailed
    assert classify(RegionsFailed("R2: unreachable"), "*").transient
    gone = classify(RegionsFailed("R2: HTTP 400: not a valid project", transient=False), "*")
    assert not gone.transient and "not a valid project" in gone.message
