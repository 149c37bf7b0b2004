"""Log routes in-process: who may ship and read, partial batches (a 400 naming the bad lines,
the good ones kept), field-named 400s on filters, cursor pages, and the SSE tail."""
import gzip
import json
import logging

import pytest
import webob

REQ = "req-6e4eb974-d41f-4142-8411-8771b211c40d"
OSLO = (f"2026-11-30 02:23:58.147 14776 WARNING glance.api.v2.image_members [None {REQ} "
        "d927d7 31f005 - - default default] abc not found in the member list of the image")
TOKEN = "shipper-secret-0123456789"


def _line(n: int, **over) -> dict:
    return {"time": f"2026-11-30T02:00:{n:02d}Z", "region": "RegionTwo", "service": "glance",
            "host": "ctl1", "level": "INFO", "message": f"message {n}", **over}


def _jsonl(*items) -> bytes:
    return "\n".join(i if isinstance(i, str) else json.dumps(i) for i in items).encode()


@pytest.fixture
def admin(api):
    return api.identity(roles=("admin", "member", "reader"))


def _ship(api, who, body: bytes, headers=None):
    return api.request("POST", "/v1/logs", who=who, body=body,
                       headers={"Content-Type": "application/x-ndjson", **(headers or {})})


def _messages(api, who, query=""):
    resp = api.request("GET", "/v1/logs" + query, who=who)
    assert resp.status_int == 200, resp.body
    return [line["message"] for line in resp.json["logs"]]


def test_members_get_403_and_anonymous_401(api, admin):
    member = api.identity()
    assert _ship(api, admin, _jsonl(_line(1))).status_int == 200
    for method, path in (("GET", "/v1/logs"), ("GET", "/v1/logs/stream"),
                         ("POST", "/v1/logs")):
        assert api.request(method, path, who=member, body=b"{}").status_int == 403, path
        assert api.request(method, path, body=b"{}").status_int == 401, path


def test_malformed_lines_are_named_and_the_valid_ones_stored(api, admin):
    body = _jsonl(_line(1), "{not json", _line(3), "", _line(5, level="LOUD"),
                  _line(6, time="yesterday"), {"message": "no source"}, _line(8))
    resp = _ship(api, admin, body)
    assert resp.status_int == 400
    err = resp.json["error"]
    assert err["message"].startswith("4 line(s) rejected, 3 stored")
    assert err["field"] == "line 2, 5, 6, 7"
    assert [r["line"] for r in resp.json["rejected"]] == [2, 5, 6, 7]
    why = {r["line"]: r["error"] for r in resp.json["rejected"]}
    assert why[2].startswith("not JSON") and why[5].startswith("level: 'LOUD'")
    assert why[6].startswith("time:") and why[7] == "time: is required"
    assert resp.json["stored"] == 3
    assert _messages(api, admin) == ["message 8", "message 3", "message 1"]


def test_an_array_of_oslo_lines_is_parsed(api, admin):
    resp = api.request("POST", "/v1/logs", who=admin, json=[
        {"region": "RegionTwo", "service": "glance", "host": "ctl1", "message": OSLO}])
    assert resp.status_int == 200 and resp.json == {"stored": 1, "duplicates": 0,
                                                    "rejected": []}
    [line] = api.request("GET", f"/v1/logs?request_id={REQ}", who=admin).json["logs"]
    assert (line["time"], line["level"], line["logger"], line["pid"]) == (
        "2026-11-30T02:23:58.147000Z", "WARNING", "glance.api.v2.image_members", 14776)
    assert line["message"].startswith("abc not found") and line["raw"] == OSLO
    assert line["request_ids"] == [REQ]


def test_the_ingest_token_lets_a_shipper_in_and_is_never_logged(api, caplog):
    api.rt.conf.set_override("ingest_token", TOKEN, group="logs")
    caplog.set_level(logging.DEBUG)
    ok = _ship(api, None, _jsonl(_line(1)), {"Authorization": f"Bearer {TOKEN}"})
    assert ok.status_int == 200 and ok.json["stored"] == 1
    wrong = _ship(api, None, _jsonl(_line(2)), {"Authorization": "Bearer guess"})
    assert wrong.status_int == 401
    assert TOKEN not in caplog.text


def test_bad_filters_name_the_field(api, admin):
    for query, field in (("level=LOUD", "level"), ("start=yesterday", "start"),
                         ("end=2026-13-01", "end"), ("request_id=abc", "request_id"),
                         ("q=***", "q"), ("cursor=garbage", "cursor"), ("limit=0", "limit"),
                         ("start=2026-01-02&end=2026-01-01", "start")):
        resp = api.request("GET", f"/v1/logs?{query}", who=admin)
        assert resp.status_int == 400, query
        assert resp.json["error"]["field"] == field, (query, resp.json)


def test_filters_and_cursor_pages(api, admin):
    _ship(api, admin, _jsonl(*[_line(n) for n in range(7)],
                             _line(30, level="ERROR", message="upload failed", service="nova")))
    assert _messages(api, admin, "?level=WARNING") == ["upload failed"]
    assert _messages(api, admin, "?q=upload%20fail*&service=nova") == ["upload failed"]
    assert _messages(api, admin, "?start=2026-11-30T02:00:05Z&end=2026-11-30T02:00:30Z") == [
        "message 6", "message 5"]
    seen, cursor = [], None
    while True:
        page = api.request("GET", "/v1/logs?service=glance&limit=3"
                           + (f"&cursor={cursor}" if cursor else ""), who=admin).json
        seen += [line["message"] for line in page["logs"]]
        cursor = page["next"]
        if cursor is None:
            break
    assert seen == [f"message {n}" for n in range(6, -1, -1)]


def test_gzip_batches_and_the_size_limit(api, admin):
    body = gzip.compress(_jsonl(_line(1), _line(2)))
    resp = _ship(api, admin, body, {"Content-Encoding": "gzip"})
    assert resp.status_int == 200 and resp.json["stored"] == 2
    bomb = gzip.compress(b" " * (9 * 1024 * 1024))
    assert _ship(api, admin, bomb, {"Content-Encoding": "gzip"}).status_int == 413


def _open_stream(api, who, query=""):
    req = webob.Request.blank("/v1/logs/stream" + query)
    req.headers["X-Auth-Token"] = who.token
    status, headers, body = req.call_application(api.app)
    return status, dict(headers), body


def _next_event(chunks) -> dict:
    for chunk in chunks:
        text = chunk.decode()
        if "event: log" in text:
            return json.loads(text.split("data: ", 1)[1])
    raise AssertionError("the stream ended")


def test_the_tail_sends_new_lines_and_tails_are_limited(api, admin):
    api.rt.conf.set_override("max_streams", 1, group="logs")
    _ship(api, admin, _jsonl(_line(1, message="before the tail")))
    status, headers, body = _open_stream(api, admin, "?level=WARNING")
    assert status.startswith("200") and headers["Content-Type"].startswith("text/event-stream")
    chunks = iter(body)
    assert next(chunks).startswith(b"retry:")
    busy, _, _ = _open_stream(api, admin)
    assert busy.startswith("503")
    _ship(api, admin, _jsonl(_line(2, message="quiet"), _line(3, level="ERROR",
                                                              message="now it breaks")))
    assert _next_event(chunks)["message"] == "now it breaks"
    body.close()
    again, _, body = _open_stream(api, admin)
    assert again.startswith("200")
    body.close()
