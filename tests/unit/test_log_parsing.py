"""oslo.log lines and shipped batches: what is taken from a line, and why a line is refused."""
import datetime
import json

import pytest

from albatross.cmd.client.log_commands import since_time
from albatross.logs import batch, oslo

NOW = datetime.datetime(2026, 11, 30, 3, 0, 0)
GLOBAL = "req-0a1b2c3d-0000-4000-8000-000000000001"
LOCAL = "req-8d33aa00-1111-2222-3333-444455556666"


def test_an_oslo_line_in_a_request():
    line = (f"2026-11-30 02:16:50.110 5982 INFO glance.api.v2.image_data [{GLOBAL} {LOCAL} "
            "d927 31f0 - - default default] Image format matched: 100")
    parsed = oslo.parse(line)
    assert parsed == oslo.OsloLine(
        time=datetime.datetime(2026, 11, 30, 2, 16, 50, 110000), pid=5982, level="INFO",
        logger="glance.api.v2.image_data", message="Image format matched: 100",
        request_ids=(GLOBAL, LOCAL))


def test_an_oslo_line_outside_a_request_and_with_an_instance():
    parsed = oslo.parse("2026-11-30 02:21:09.427 14668 INFO glance.async_ [-] Threadpool set")
    assert (parsed.message, parsed.request_ids) == ("Threadpool set", ())
    parsed = oslo.parse(f"2026-11-30 02:21:09.427 7 ERROR nova.compute.manager [None "
                        f"{LOCAL.upper()} a b - - default default] [instance: 42] Failed")
    assert parsed.message == "[instance: 42] Failed" and parsed.request_ids == (LOCAL,)


@pytest.mark.parametrize("text", [
    "Traceback (most recent call last):",
    "[pid: 14776|app: 0|req: 8/8] 127.0.0.1 () GET /v2/images => 404",
    "2026-11-30 99:99:99.000 1 INFO x [-] bad time",
    "2026-11-30 02:21:09.427 INFO no.pid [-] message",
])
def test_other_lines_are_not_oslo_lines(text):
    assert oslo.parse(text) is None


def test_request_ids_anywhere_in_a_line_once_each():
    text = f"x {LOCAL} y {GLOBAL} z {LOCAL} req-nothex-1111-2222-3333-444455556666"
    assert oslo.request_ids(text) == [LOCAL, GLOBAL]


def _record(**over):
    return {"time": "2026-11-30T02:00:00+01:00", "region": "RegionTwo", "service": "glance",
            "host": "ctl1", "level": "warn", "message": "disk low", **over}


def test_a_record_with_every_field():
    row = batch.line(_record(logger="glance.x", pid=12, request_id=LOCAL, key="k1",
                             file="/var/log/glance.log"), NOW)
    assert row == {"time": datetime.datetime(2026, 11, 30, 1, 0), "region": "RegionTwo",
                   "service": "glance", "host": "ctl1", "level": "WARNING",
                   "logger": "glance.x", "pid": 12, "message": "disk low", "raw": None,
                   "request_ids": [LOCAL], "extra": {"file": "/var/log/glance.log"},
                   "dedup_key": "k1"}


def test_an_oslo_message_fills_what_the_record_leaves_out():
    raw = (f"2026-11-30 02:16:50.110 5982 ERROR glance.api [None {LOCAL} u p - - default "
           "default] boom")
    row = batch.line({"region": "R", "service": "glance", "host": "h", "message": raw,
                      "timestamp": 1796000000.5}, NOW)
    assert (row["level"], row["logger"], row["pid"], row["message"], row["raw"]) == (
        "ERROR", "glance.api", 5982, "boom", raw)
    assert row["time"] == datetime.datetime(2026, 11, 30, 2, 16, 50, 110000)  # the line's own
    assert row["request_ids"] == [LOCAL]


def test_a_shippers_read_time_serves_only_lines_without_one():
    row = batch.line({"region": "R", "service": "s", "host": "h", "message": "a print",
                      "level": "info", "date": 1796000000.5}, NOW)
    assert (row["time"], row["level"]) == (datetime.datetime(2026, 11, 30, 0, 53, 20, 500000),
                                           "INFO")


@pytest.mark.parametrize("over, why", [
    ({"region": ""}, "region: is required"),
    ({"service": 7}, "service: is required"),
    ({"host": "h" * 256}, "host: is too long (at most 255)"),
    ({"level": "LOUD"}, "level: 'LOUD' is not one of"),
    ({"time": "tomorrow"}, "time: 'tomorrow' is not an ISO 8601 time"),
    ({"time": True}, "time: must be an ISO 8601 string"),
    ({"time": "2026-12-02T00:00:00Z"}, "time: more than a day in the future"),
    ({"pid": -1}, "pid: must be an integer from 0"),
    ({"pid": 2 ** 31}, "pid: must be an integer from 0"),
    ({"request_id": "abc"}, "request_id: 'abc' is not req-<uuid>"),
    ({"message": "x" * 40000}, "message: is too long"),
    ({"blob": "x" * 5000}, "other fields: more than 4096 bytes"),
])
def test_a_bad_field_is_named(over, why):
    with pytest.raises(batch.LineError) as err:
        batch.line(_record(**over), NOW)
    assert str(err.value).startswith(why)


def test_a_batch_keeps_good_lines_and_numbers_the_bad_ones():
    body = "\n".join([json.dumps(_record()), "", "[1, 2", json.dumps([1]),
                      json.dumps(_record(level=None)), json.dumps(_record())]).encode()
    parsed = batch.parse(body, 100, NOW)
    assert len(parsed.rows) == 2
    assert [n for n, _ in parsed.rejected] == [3, 4, 5]
    assert parsed.rejected[0][1].startswith("not JSON")
    assert parsed.rejected[1][1] == "must be a JSON object"


def test_an_array_numbers_its_elements():
    parsed = batch.parse(json.dumps([_record(), _record(host="")]).encode(), 100, NOW)
    assert len(parsed.rows) == 1 and parsed.rejected == [(2, "host: is required (a "
                                                              "non-empty string)")]


@pytest.mark.parametrize("body, why", [
    (b"  \n", "the body holds no log line"),
    (b"[{]", "the body starts with [ but is not a JSON array"),
    (b"\n".join([b"{}"] * 3), "3 lines; send at most 2 per request"),
])
def test_an_unusable_body_stores_nothing(body, why):
    with pytest.raises(batch.BatchError) as err:
        batch.parse(body, 2, NOW)
    assert str(err.value).startswith(why)


def test_the_cli_reads_since_as_a_duration_or_a_time():
    ago = datetime.datetime.fromisoformat(since_time("90m").replace("Z", "+00:00"))
    now = datetime.datetime.now(datetime.UTC)
    assert datetime.timedelta(minutes=89) < now - ago < datetime.timedelta(minutes=91)
    assert since_time("2026-11-30T01:00:00Z") == "2026-11-30T01:00:00Z"
