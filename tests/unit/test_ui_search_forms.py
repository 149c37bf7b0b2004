"""The dashboard's search forms: form fields -> the API's query parameters, datetime-local
input -> API time, and the address page's sorting, pages and plan fields."""
import datetime

import pytest

from albatross.ui.pages import addresses as a
from albatross.ui.pages import events as e

NOW = datetime.datetime(2026, 11, 30, 12, 0, 0, tzinfo=datetime.UTC)


@pytest.mark.parametrize("value,expected", [
    ("", None),
    ("  ", None),
    ("2026-11-30T04:12", "2026-11-30T04:12:00Z"),
    ("2026-11-30T04:12:07", "2026-11-30T04:12:07Z"),
    ("2026-11-30 04:12:07.250", "2026-11-30T04:12:07.250Z"),
    ("2026-11-30T04:12:07+02:00", "2026-11-30T04:12:07+02:00"),   # a zone: as typed
    ("yesterday", "yesterday"),                                   # the API names the error
])
def test_api_time(value, expected):
    assert e.api_time(value) == expected


def test_search_params_drops_empty_and_converts_times():
    values = e.form_values({"region": "RegionTwo", "service": " ", "q": " disk full ",
                            "start": "2026-11-30T04:12", "end": ""}, e.EVENT_FIELDS)
    assert values["q"] == "disk full" and values["source"] == ""
    assert e.search_params(values, NOW) == {"region": "RegionTwo", "q": "disk full",
                                            "start": "2026-11-30T04:12:00Z"}


def test_since_is_the_start_unless_a_start_is_given():
    values = e.form_values({"since": "1h"}, e.LOG_FIELDS)
    assert e.search_params(values, NOW) == {"start": "2026-11-30T11:00:00Z"}
    values = e.form_values({"since": "1h", "start": "2026-11-29T00:00"}, e.LOG_FIELDS)
    assert e.search_params(values, NOW)["start"] == "2026-11-29T00:00:00Z"
    values = e.form_values({"since": "forever"}, e.LOG_FIELDS)
    assert e.search_params(values, NOW) == {}


def test_all_projects_only_for_admins():
    args = {"all_projects": "1", "project_id": " p2 "}
    assert e.scope_params(args, is_admin=False) == {}
    assert e.scope_params(args, is_admin=True) == {"all_projects": "true", "project_id": "p2"}
    assert e.scope_params({"all_projects": "true"}, is_admin=True) == {"all_projects": "true"}
    assert e.scope_params({"project_id": "p2"}, is_admin=True) == {}


def test_tail_ignores_the_time_range_and_pages():
    params = {"region": "RegionTwo", "start": "x", "end": "y", "cursor": "c", "q": "w"}
    assert e.tail_params(params) == {"region": "RegionTwo", "q": "w"}


def test_pretty_payload():
    assert e.pretty({}) == "" and e.pretty(None) == ""
    assert e.pretty({"b": 1, "a": "<x>"}) == '{\n  "a": "<x>",\n  "b": 1\n}'


def test_address_list_filters():
    assert a.list_filters({"region": "RegionOne", "kind": "fixed_ip", "ip_version": "6",
                           "network_id": " n1 "}) == {"region": "RegionOne",
                                                      "kind": "fixed_ip", "ip_version": 6,
                                                      "network_id": "n1"}
    assert a.list_filters({"kind": "bogus", "ip_version": "5", "region": ""}) == {}


@pytest.mark.parametrize("text,expected", [
    ("10.0.0.5", {"ip": "10.0.0.5"}),
    (" fd00::5 ", {"ip": "fd00::5"}),
    ("fa:16:3e:00:00:01", {"mac": "fa:16:3e:00:00:01"}),
    ("FA-16-3E-00-00-01", {"mac": "FA-16-3E-00-00-01"}),
    ("10.0", {"ip": "10.0"}),        # not an address: the API's 400 says so
])
def test_find_query(text, expected):
    assert a.find_query(text) == expected


def test_sort_rows_by_address_is_numeric():
    rows = [{"address": "10.0.0.10", "region": "R1"}, {"address": "fd00::1", "region": "R1"},
            {"address": "10.0.0.9", "region": "R2"}, {"address": "10.0.0.0/24", "region": "R1"},
            {"address": None, "region": "R3"}]
    assert [r["address"] for r in a.sort_rows(rows, "address")] == [
        "10.0.0.0/24", "10.0.0.9", "10.0.0.10", "fd00::1", None]
    assert a.sort_rows(rows, "address", descending=True)[0]["address"] is None
    assert [r["region"] for r in a.sort_rows(rows, "nonsense")][:3] == ["R1", "R1", "R1"]


def test_page_slice():
    rows = list(range(12))
    assert a.page_slice(rows, "", 5) == ([0, 1, 2, 3, 4], 1, 3)
    assert a.page_slice(rows, "3", 5) == ([10, 11], 3, 3)
    assert a.page_slice(rows, "99", 5) == ([10, 11], 3, 3)
    assert a.page_slice(rows, "-2", 5)[1] == 1
    assert a.page_slice(rows, "x", 5)[1] == 1
    assert a.page_slice([], "1", 5) == ([], 1, 1)


def test_plan_fields():
    assert a.parse_supernets(" 10.0.0.0/16\nfd00::/48, 192.168.0.0/24 ") == [
        "10.0.0.0/16", "fd00::/48", "192.168.0.0/24"]
    groups = a.parse_groups("net-1 = vpn\n\n# comment\nnet-2 office  # trailing\n")
    assert groups == {"net-1": "vpn", "net-2": "office"}
    assert a.parse_groups(a.groups_text(groups)) == groups
    with pytest.raises(ValueError, match="line 2"):
        a.parse_groups("net-1 = vpn\nlonely")
    with pytest.raises(ValueError):
        a.parse_groups("= vpn")


def test_side_object():
    assert a.side_object({"subnet_id": "s", "port_id": "p"}) == ("port", "p", "")
    assert a.side_object({"subnet_id": "s", "subnet_name": "sn", "port_id": "p",
                          "port_name": "web-1"}) == ("port", "p", "web-1")
    assert a.side_object({"fip_id": "f", "port_id": "p", "port_name": "x",
                          "description": "bastion"}) == ("floating IP", "f", "bastion")
    assert a.side_object({"subnet_id": "s", "cidr": "10.0.0.0/24",
                          "subnet_name": "app-v4"}) == ("subnet", "s", "app-v4")
    assert a.side_object({"router_id": "r", "router_name": None}) == ("router", "r", "")
    assert a.side_object({}) == ("", "", "")
