"""Address routes without regions: project scoping, admin-only views, field-named 400s, and
conflicts and rows naming both sides (from a stored inventory) in the documented shapes."""
import json

import jsonschema
import pytest

from albatross.addresses.model import Port, Subnet
from albatross.api.schemas import addresses as schemas
from albatross.db.addresses import AddressStore


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


def _seed(api, project_id):
    """Two regions' reads of the project, stored as a refresh would (fresh: no region read)."""
    store = AddressStore(api.rt.store.db_url)
    for region, net, sub, port in (("R1", "n1", "s1", "port1"), ("R2", "n2", "s2", "port2")):
        store.replace(project_id, region, {
            "subnets": [Subnet(region, project_id, net, sub, "10.50.0.0/24", 4,
                               name=f"sub-{region}", network_name=f"net-{region}")],
            "ports": [Port(region, project_id, net, port, "fa:16:3e:aa:bb:01",
                           ((sub, "10.50.0.10"),), "compute:nova", f"vm-{region}",
                           f"port-{region}", f"net-{region}")]}, full=True)


def test_conflicts_and_rows_name_both_sides_and_match_the_schemas(api):
    me = api.identity()
    _seed(api, me.project_id)
    base = f"/v1/projects/{me.project_id}/addresses"
    resp = api.request("GET", base + "/conflicts?max_age=3600", who=me)
    assert resp.status_int == 200, resp.body
    jsonschema.validate(resp.json, schemas.CONFLICT_LIST)
    by_kind = {c["kind"]: c for c in resp.json["conflicts"]}
    overlap = by_kind["subnet-overlap"]
    assert [(s["subnet_name"], s["network_name"]) for s in (overlap["side_a"],
                                                            overlap["side_b"])] == \
        [("sub-R1", "net-R1"), ("sub-R2", "net-R2")]
    fixed = by_kind["fixed-ip"]
    assert (fixed["side_a"]["port_name"], fixed["side_a"]["subnet_name"],
            fixed["side_b"]["network_name"]) == ("port-R1", "sub-R1", "net-R2")
    rows = api.request("GET", base + "?max_age=3600", who=me).json
    jsonschema.validate(rows, schemas.ADDRESS_LIST)
    assert {(r["kind"], r["region"], r["name"], r["network_name"]) for r in rows["addresses"]} \
        == {("subnet", "R1", "sub-R1", "net-R1"), ("subnet", "R2", "sub-R2", "net-R2"),
            ("fixed_ip", "R1", "port-R1", "net-R1"), ("fixed_ip", "R2", "port-R2", "net-R2")}
    found = api.request("GET", base + "/find?ip=10.50.0.10&max_age=3600", who=me).json
    assert {r["name"] for r in found["addresses"] if r["kind"] == "fixed_ip"} == \
        {"port-R1", "port-R2"}
    text = api.request("GET", base + "?format=csv&max_age=3600", who=me).text
    assert text.splitlines()[0] == ("kind,region,network_id,object_id,address,ip_version,mac,"
                                    "device_owner,device_id,fixed_ip,seen_at,name,network_name")
    assert ",sub-R1,net-R1" in text


def test_the_openapi_document_describes_the_named_sides(api):
    doc = api.request("GET", "/v1/openapi.json", who=api.identity()).json
    op = doc["paths"]["/v1/projects/{project_id}/addresses/conflicts"]["get"]
    schema = op["responses"]["200"]["content"]["application/json"]["schema"]
    side = schema["properties"]["conflicts"]["items"]["properties"]["side_a"]
    assert {"subnet_name", "network_name", "port_name", "description",
            "router_name"} <= set(side["properties"])


def test_a_reader_cannot_make_every_request_a_full_read_of_neutron(api, monkeypatch):
    """Finding 6: max_age=0 and POST .../refresh once read every region each time."""
    from albatross.services import addresses as address_service
    reads = []
    monkeypatch.setattr(address_service, "refresh",
                        lambda rt, project_id, **kw: reads.append(project_id) or {})
    reader = api.identity(roles=("reader",))
    _seed(api, reader.project_id)  # read just now
    base = f"/v1/projects/{reader.project_id}/addresses"
    for _ in range(5):
        assert api.request("GET", base + "?max_age=0", who=reader).status_int == 200
    resp = api.request("POST", base + "/refresh", who=reader)
    assert resp.status_int == 429 and error(resp)["field"] == "project_id", resp.body
    assert reads == []
    api.rt.conf.set_override("min_read_interval", 0, group="addresses")
    assert api.request("POST", base + "/refresh", who=reader).status_int == 200
    assert reads == [reader.project_id]
