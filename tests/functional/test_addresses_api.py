"""Address routes without regions: project scoping, admin-only views, field-named 400s."""
import json

import pytest


def error(resp):
    return json.loads(resp.body)["error"]


def test_another_project_gets_403_on_every_address_route(api):
    owner, other = api.identity(), api.identity()
    base = f"/v1/projects/{owner.project_id}"
    for method, path, body in (
            ("GET", base + "/addresses", None), ("GET", base + "/addresses/find?ip=1.2.3.4",
                                                 None),
            ("GET", base + "/addresses/conflicts", None),
            ("GET", base + "/addresses/summary", None),
            ("POST", base + "/addresses/refresh", None), ("GET", base + "/address-plan", None),
            ("PUT", base + "/address-plan", {"supernets": ["10.0.0.0/8"]}),
            ("POST", base + "/subnets", {"region": "R1", "network_id": "n",
                                         "prefix_length": 24})):
        resp = api.request(method, path, who=other, json=body)
        assert resp.status_int == 403, (method, path, resp.body)


def test_external_view_is_admin_only(api):
    assert api.request("GET", "/v1/addresses/external",
                       who=api.identity()).status_int == 403


def test_plan_round_trip_and_reader_cannot_change_it(api):
    member = api.identity()
    reader = api.identity(roles=("reader",), project_id=member.project_id)
    base = f"/v1/projects/{member.project_id}/address-plan"
    assert api.request("GET", base, who=member).status_int == 404
    body = {"supernets": ["10.0.0.0/16", "fd00::/48"], "groups": {"net-a": "vpn"}}
    resp = api.request("PUT", base, who=member, json=body)
    assert resp.status_int == 200 and resp.json["supernets"] == body["supernets"]
    assert api.request("GET", base, who=reader).json["groups"] == {"net-a": "vpn"}
    assert api.request("PUT", base, who=reader, json=body).status_int == 403


@pytest.mark.parametrize("body,field", [
    ({}, "supernets"),
    ({"supernets": []}, "supernets"),
    ({"supernets": ["10.0.0.0/33"]}, "supernets[0]"),
    ({"supernets": ["10.0.0.1/8"]}, "supernets[0]"),
    ({"supernets": ["10.0.0.0/8"], "groups": {"n": 5}}, "groups.n"),
])
def test_bad_plans_name_the_field(api, body, field):
    me = api.identity()
    resp = api.request("PUT", f"/v1/projects/{me.project_id}/address-plan", who=me, json=body)
    assert resp.status_int == 400, resp.body
    assert error(resp)["field"] == field


@pytest.mark.parametrize("query,field", [
    ("ip=10.0.0.1&mac=fa:16:3e:00:00:01", "ip"), ("", "ip"), ("ip=300.1.1.1", "ip"),
    ("mac=zz:16:3e:00:00:01", "mac"),
])
def test_find_wants_one_valid_ip_or_mac(api, query, field):
    me = api.identity()
    resp = api.request("GET", f"/v1/projects/{me.project_id}/addresses/find?{query}", who=me)
    assert resp.status_int == 400, resp.body
    assert error(resp)["field"] == field
