"""Issue 14, finding 7: log ingest trusted one static token for every shipper, which then said
itself which region a line came from; dedup keys were predictable (lines sent ahead made the
real ones be dropped); nothing bounded the rate; shipped lines kept their secrets."""
import json

from tests.functional.test_logs_api import _jsonl, _line, _messages, _ship

ONE, TWO = "token-of-region-one-0123", "token-of-region-two-0123"


def _bearer(token):
    return {"Authorization": f"Bearer {token}"}


def _shippers(api):
    api.rt.conf.set_override("shippers", [f"r1:RegionOne:{ONE}", f"r2:RegionTwo:{TWO}"],
                             group="logs")


def test_a_shipper_speaks_only_for_its_own_region(api):
    _shippers(api)
    admin = api.identity(roles=("admin", "member", "reader"))
    resp = _ship(api, None, _jsonl(_line(1, region="RegionOne", message="mine"),
                                   _line(2, region="RegionTwo", message="forged")), _bearer(ONE))
    assert resp.status_int == 400, resp.body
    body = json.loads(resp.body)
    assert body["stored"] == 1 and body["error"]["field"] == "line 2"
    assert "RegionOne only" in body["rejected"][0]["error"]
    assert _messages(api, admin) == ["mine"]


def test_dedup_keys_of_one_shipper_cannot_shadow_anothers(api):
    _shippers(api)
    admin = api.identity(roles=("admin", "member", "reader"))
    ahead = _ship(api, None, _jsonl(_line(1, region="RegionOne", key="k-1",
                                          message="sent ahead")), _bearer(ONE))
    assert ahead.status_int == 200
    real = _ship(api, None, _jsonl(_line(1, region="RegionTwo", key="k-1", message="real")),
                 _bearer(TWO))
    assert json.loads(real.body) == {"stored": 1, "duplicates": 0, "rejected": []}
    again = _ship(api, None, _jsonl(_line(1, region="RegionTwo", key="k-1", message="real")),
                  _bearer(TWO))
    assert json.loads(again.body)["duplicates"] == 1  # its own re-send is still deduplicated
    assert sorted(_messages(api, admin)) == ["real", "sent ahead"]


def test_a_shipper_is_rate_limited(api):
    _shippers(api)
    api.rt.conf.set_override("max_lines_per_minute", 3, group="logs")
    lines = [_line(n, region="RegionOne") for n in range(1, 4)]
    assert _ship(api, None, _jsonl(*lines), _bearer(ONE)).status_int == 200
    resp = _ship(api, None, _jsonl(_line(9, region="RegionOne")), _bearer(ONE))
    assert resp.status_int == 429 and json.loads(resp.body)["error"]["field"] == "(body)"
    # the other shipper has its own budget
    assert _ship(api, None, _jsonl(_line(9, region="RegionTwo")), _bearer(TWO)).status_int == 200


def test_shipped_lines_are_redacted(api):
    _shippers(api)
    admin = api.identity(roles=("admin", "member", "reader"))
    secret = "gAAAAABsecretfernettoken0123456789012345678901234567890"
    resp = _ship(api, None, _jsonl(_line(1, region="RegionOne",
                                         message=f"auth failed password=hunter2 X-Auth-Token: "
                                                 f"{secret}", db_password="s3cret")),
                 _bearer(ONE))
    assert resp.status_int == 200, resp.body
    logs = api.request("GET", "/v1/logs", who=admin).json["logs"]
    text = json.dumps(logs)
    assert "hunter2" not in text and secret not in text and "s3cret" not in text
    assert "password=***" in logs[0]["message"]
