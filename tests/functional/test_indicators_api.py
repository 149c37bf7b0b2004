"""Indicator routes without regions (the store is filled directly): who may see what,
field-named 400s, aggregation by step from the best resolution, and /metrics' two ways in."""
import datetime
import json

import pytest
from prometheus_client.parser import text_string_to_metric_families

from albatross.db.indicators import IndicatorStore
from albatross.db.models import utcnow
from albatross.indicators.samples import Sample
from albatross.indicators.timespec import iso

ADMIN = ("admin", "member", "reader")


def error(resp):
    return json.loads(resp.body)["error"]


@pytest.fixture
def filled(api):
    """Two rounds a minute apart, ending a minute ago: capacity in R1 and R2, R2 down, and
    the usage of two projects."""
    store, now = IndicatorStore(api.rt.store.db_url), utcnow().replace(microsecond=0)
    mine, theirs = api.identity(), api.identity()
    for i, ts in enumerate((now - datetime.timedelta(minutes=2),
                            now - datetime.timedelta(minutes=1))):
        store.write_round(ts, [
            Sample("capacity", "R1", "", "VCPU", 100.0 + i),
            Sample("capacity", "R2", "", "VCPU", 50.0),
            Sample("used", "R1", "", "VCPU", 10.0), Sample("used", "R2", "", "VCPU", 5.0),
            Sample("region_up", "R1", "", "", 1.0), Sample("region_up", "R2", "", "", 0.0),
            Sample("project_usage", "R1", mine.project_id, "cores", 2.0 + i),
            Sample("project_usage", "R1", theirs.project_id, "cores", 7.0),
        ], {"R1": None, "R2": "placement: service unreachable (connection failed)"})
    return {"mine": mine, "theirs": theirs, "now": now}


def get(api, path, who):
    resp = api.request("GET", path, who=who)
    return resp.status_int, resp.json if resp.content_type == "application/json" else resp


def test_members_get_403_on_operator_views(api, filled):
    member = filled["mine"]
    for path, field in (("/v1/indicators/summary", None), ("/v1/indicators?name=capacity", "name"),
                        ("/v1/indicators?name=region_up&project_id=" + member.project_id,
                         "name"),
                        (f"/v1/indicators?project_id={filled['theirs'].project_id}", None),
                        ("/metrics", None)):
        status, body = get(api, path, member)
        assert status == 403, (path, body)
        if field:
            assert body["error"]["field"] == field


def test_members_see_only_their_own_project_series(api, filled):
    member = filled["mine"]
    status, body = get(api, "/v1/indicators?step=1m", member)
    assert status == 200
    (series,) = body["series"]
    assert (series["name"], series["project_id"], series["labels"]) == \
        ("project_usage", member.project_id, {"resource": "cores"})
    assert [p["mean"] for p in series["points"]] == [2.0, 3.0]
    reader = api.identity(roles=("reader",), project_id=member.project_id)
    assert get(api, f"/v1/indicators?project_id={member.project_id}", reader)[0] == 200


def test_admins_see_everything_aggregated_by_step(api, filled):
    admin = api.identity(roles=ADMIN)
    status, body = get(api, "/v1/indicators?name=capacity&region=R1&step=1h", admin)
    assert status == 200 and body["step"] == 3600 and body["resolution"] == 0
    (series,) = body["series"]
    points = series["points"]
    assert sum(p["samples"] for p in points) == 2
    assert min(p["min"] for p in points) == 100.0 and max(p["max"] for p in points) == 101.0
    _, everything = get(api, "/v1/indicators", admin)
    projects = {s["project_id"] for s in everything["series"]}
    assert projects == {None, filled["mine"].project_id, filled["theirs"].project_id}


@pytest.mark.parametrize("query,field", [
    ("start=yesterday", "start"), ("end=2025-13-01T00:00:00Z", "end"),
    ("start=2025-01-02T00:00:00Z&end=2025-01-01T00:00:00Z", "end"),
    ("step=5x", "step"), ("step=0", "step"), ("step=" + "9" * 20, "step"),
    ("start=2025-01-01T00:00:00Z&end=2025-02-01T00:00:00Z&step=1s", "step"),
    ("name=bogus", "name"),
])
def test_bad_queries_name_the_field(api, query, field):
    resp = api.request("GET", f"/v1/indicators?{query}", who=api.identity(roles=ADMIN))
    assert resp.status_int == 400, resp.body
    assert error(resp)["field"] == field


def test_summary_shows_capacity_and_the_down_region(api, filled):
    status, body = get(api, "/v1/indicators/summary", api.identity(roles=ADMIN))
    assert status == 200
    r1, r2 = body["regions"]
    assert (r1["status"], r2["status"]) == ("up", "down")
    assert r2["reason"] == "placement: service unreachable (connection failed)"
    assert r1["capacity"]["VCPU"] == {"capacity": 101.0, "used": 10.0,
                                      "utilization": pytest.approx(10 / 101)}
    assert body["overall"]["capacity"]["VCPU"]["capacity"] == 151.0
    assert body["collected_at"] == iso(filled["now"] - datetime.timedelta(minutes=1))


def test_old_ranges_come_from_rollups(api):
    """Samples older than the raw retention are answered from the 5-minute level."""
    store, admin = IndicatorStore(api.rt.store.db_url), api.identity(roles=ADMIN)
    old = (utcnow() - datetime.timedelta(days=3)).replace(minute=0, second=0, microsecond=0)
    for i in range(10):
        store.write_round(old + datetime.timedelta(minutes=i),
                          [Sample("capacity", "R1", "", "VCPU", float(i))], {"R1": None})
    store.maintain(utcnow(), 60, 2 * 86400, [(300, 30 * 86400), (3600, 400 * 86400)])
    start = iso(old - datetime.timedelta(hours=1))
    status, body = get(api, f"/v1/indicators?name=capacity&start={start}&step=1h", admin)
    assert status == 200 and body["resolution"] == 300
    (point,) = body["series"][0]["points"]
    assert (point["samples"], point["mean"], point["min"], point["max"]) == (10, 4.5, 0, 9)


def test_metrics_take_an_admin_token_or_the_static_one(api, filled):
    api.rt.conf.set_override("metrics_token", "s3cret-scraper", group="indicators")
    assert api.request("GET", "/metrics").status_int == 401
    bad = api.request("GET", "/metrics", headers={"Authorization": "Bearer wrong"})
    assert bad.status_int == 401
    for kwargs in ({"headers": {"Authorization": "Bearer s3cret-scraper"}},
                   {"who": api.identity(roles=ADMIN)}):
        resp = api.request("GET", "/metrics", **kwargs)
        assert resp.status_int == 200 and resp.content_type == "text/plain"
        families = {f.name: f for f in text_string_to_metric_families(resp.text)}
        ups = {s.labels["region"]: s.value for s in families["albatross_region_up"].samples}
        assert ups == {"R1": 1.0, "R2": 0.0}
        usage = families["albatross_project_usage"].samples
        assert {s.labels["project"] for s in usage} == {filled["mine"].project_id,
                                                        filled["theirs"].project_id}
