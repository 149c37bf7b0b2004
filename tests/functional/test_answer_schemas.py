"""Every answer a functional test gets is checked against its route's response schema
(conftest.check_answer): a route answering off its document would fail every test using it."""
import pytest
import webob

from tests.functional.conftest import check_answer


def answer(status, body):
    resp = webob.Response(status=status, content_type="application/json", charset="utf-8")
    resp.json = body
    return resp


def test_an_answer_off_the_document_fails_the_test():
    with pytest.raises(AssertionError, match="jobs"):
        check_answer("GET", "/v1/jobs", answer(200, {"jobs": [{"id": 1}]}))
    with pytest.raises(AssertionError):
        check_answer("GET", "/v1/jobs", answer(403, {"message": "no error envelope"}))


def test_answers_on_the_document_pass(api):
    who = api.identity()
    resp = api.request("GET", "/v1/jobs", who=who)    # checked inside request()
    assert resp.status_int == 200 and resp.json == {"jobs": []}
    check_answer("GET", "/v1/jobs", answer(403, {"error": {
        "status": 403, "title": "Forbidden", "message": "policy does not allow it"}}))
