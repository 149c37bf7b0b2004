"""The inventory read from Neutron carries names: one networks call per region and read
(fields id and name only) names the networks of subnets and ports, floating IPs keep their
description and router gateways their router's name; rows and CSV carry `name` and
`network_name`, the CSV's new columns after the old ones."""
import csv
import datetime
import io
from types import SimpleNamespace as NS

from albatross.addresses.model import FloatingIP, Port, RouterGateway, Subnet
from albatross.regions import addresses as neutron
from albatross.services import addresses as service

OLD_CSV = ["kind", "region", "network_id", "object_id", "address", "ip_version", "mac",
           "device_owner", "device_id", "fixed_ip", "seen_at"]


class FakeNetwork:
    """The openstacksdk network proxy's list calls, recording what was asked."""

    def __init__(self):
        self.calls = []

    def _list(self, what, query, items):
        self.calls.append((what, query))
        return iter(items)

    def networks(self, **query):
        return self._list("networks", query, [NS(id="n1", name="app"), NS(id="n2", name=None)])

    def subnets(self, **query):
        return self._list("subnets", query, [
            NS(project_id="p1", network_id="n1", id="s1", cidr="10.0.0.0/24", ip_version=4,
               gateway_ip="10.0.0.1", allocation_pools=[{"start": "10.0.0.2",
                                                         "end": "10.0.0.254"}],
               subnet_pool_id=None, name="app-v4"),
            NS(project_id="p1", network_id="shared", id="s2", cidr="10.1.0.0/24",
               ip_version=4, gateway_ip=None, allocation_pools=None, subnet_pool_id=None,
               name="")])

    def ports(self, **query):
        return self._list("ports", query, [
            NS(project_id="p1", network_id="n1", id="port1", mac_address="fa:16:3e:00:00:01",
               fixed_ips=[{"subnet_id": "s1", "ip_address": "10.0.0.5"}],
               device_owner="compute:nova", device_id="vm1", name="web-1"),
            NS(project_id="p1", network_id="n2", id="port2", mac_address="fa:16:3e:00:00:02",
               fixed_ips=[], device_owner=None, device_id=None, name=None)])

    def ips(self, **query):
        return self._list("ips", query, [
            NS(project_id="p1", id="f1", floating_ip_address="203.0.113.7",
               fixed_ip_address="10.0.0.5", port_id="port1", floating_network_id="ext",
               description="bastion")])

    def routers(self, **query):
        return self._list("routers", query, [
            NS(project_id="p1", id="r1", name="edge", external_gateway_info={
                "network_id": "ext", "external_fixed_ips": [{"ip_address": "203.0.113.9"}]}),
            NS(project_id="p1", id="r2", name="inside", external_gateway_info=None)])


def test_a_read_names_subnets_ports_and_their_networks_with_one_networks_call():
    conn = NS(network=FakeNetwork())
    inv = neutron.read_inventory(conn, "R1", "p1")
    assert [c for c in conn.network.calls if c[0] == "networks"] == [
        ("networks", {"project_id": "p1", "fields": ["id", "name"]})]
    assert len(conn.network.calls) == 5
    s1, s2 = inv["subnets"]
    assert (s1.name, s1.network_name) == ("app-v4", "app")
    assert (s2.name, s2.network_name) == ("", "")      # another project's network: no name
    p1, p2 = inv["ports"]
    assert (p1.name, p1.network_name) == ("web-1", "app")
    assert (p2.name, p2.network_name) == ("", "")       # None from Neutron: ""
    assert inv["floating_ips"] == [FloatingIP("R1", "p1", "f1", "203.0.113.7", "10.0.0.5",
                                              "port1", "ext", "bastion")]
    assert inv["router_gateways"] == [RouterGateway("R1", "p1", "r1", "ext", ("203.0.113.9",),
                                                    "edge")]


def test_an_incremental_read_still_lists_every_network_of_the_project():
    conn = NS(network=FakeNetwork())
    inv = neutron.read_inventory(conn, "R1", "p1", "2026-01-01T00:00:00")
    calls = dict(conn.network.calls)
    assert calls["networks"] == {"project_id": "p1", "fields": ["id", "name"]}
    assert calls["subnets"]["changed_since"] == calls["ports"]["changed_since"] \
        == calls["ips"]["changed_since"] == "2026-01-01T00:00:00"
    assert inv["ports"][0].network_name == "app"


def test_records_built_without_names_have_empty_ones():
    assert Subnet("R1", "p1", "n1", "s1", "10.0.0.0/24", 4).side()["subnet_name"] == ""
    assert Port("R1", "p1", "n1", "port1", "fa:16:3e:00:00:01").side()["network_name"] == ""
    assert FloatingIP("R1", "p1", "f1", "203.0.113.7").description == ""
    assert RouterGateway("R1", "p1", "r1", "ext").side()["router_name"] == ""


def test_rows_and_csv_carry_names_in_new_columns_at_the_end():
    seen = datetime.datetime(2026, 1, 1)
    inv = {"subnet": [(Subnet("R1", "p1", "n1", "s1", "10.0.0.0/24", 4, name="app-v4",
                              network_name="app"), seen)],
           "port": [(Port("R1", "p1", "n1", "port1", "fa:16:3e:00:00:01",
                          (("s1", "10.0.0.5"),), "compute:nova", "vm1", "web-1", "app"), seen),
                    (Port("R1", "p1", "n9", "port0", "fa:16:3e:00:00:02"), seen)],
           "floating_ip": [(FloatingIP("R1", "p1", "f1", "203.0.113.7", description="bastion"),
                            seen)],
           "router_gateway": [(RouterGateway("R1", "p1", "r1", "ext", ("203.0.113.9",),
                                             "edge"), seen)]}
    table = service.rows(inv)
    named = {(r["kind"], r["object_id"]): (r["name"], r["network_name"]) for r in table}
    assert named == {("subnet", "s1"): ("app-v4", "app"), ("fixed_ip", "port1"): ("web-1", "app"),
                     ("fixed_ip", "port0"): ("", ""),
                     ("floating_ip", "f1"): ("bastion", ""), ("public", "r1"): ("edge", "")}
    text = service.as_csv(table)
    header = text.splitlines()[0].split(",")
    assert header[:len(OLD_CSV)] == OLD_CSV and header[len(OLD_CSV):] == ["name",
                                                                          "network_name"]
    by_id = {r["object_id"]: r for r in csv.DictReader(io.StringIO(text))}
    assert (by_id["port1"]["name"], by_id["port1"]["network_name"]) == ("web-1", "app")
    assert by_id["port1"]["network_id"] == "n1"           # the old columns are unchanged
