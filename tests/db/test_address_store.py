"""The address inventory store on every backend: records keep Neutron's names through a
write and a load, and records written before names were read (or by a newer version, with
fields this one does not know) still load."""
import dataclasses

from sqlalchemy import update

from albatross.addresses.model import FloatingIP, Port, RouterGateway, Subnet
from albatross.db.addresses import AddressRecord, AddressStore
from albatross.db.engine import session_scope

SUBNET = Subnet("R1", "p1", "n1", "s1", "10.0.0.0/24", 4, "10.0.0.1",
                (("10.0.0.2", "10.0.0.254"),), None, None, "app-v4", "app")
PORT = Port("R1", "p1", "n1", "port1", "fa:16:3e:00:00:01", (("s1", "10.0.0.5"),),
            "compute:nova", "vm1", "web-1", "app")
FIP = FloatingIP("R1", "p1", "f1", "203.0.113.7", "10.0.0.5", "port1", "ext", "bastion")
GATEWAY = RouterGateway("R1", "p1", "r1", "ext", ("203.0.113.9",), "edge")
INVENTORY = {"subnets": [SUBNET], "ports": [PORT], "floating_ips": [FIP],
             "router_gateways": [GATEWAY]}


def _records(store):
    return {kind: [record for record, _seen in rows]
            for kind, rows in store.load("p1").items()}


def test_names_survive_a_write_and_a_load(db_url):
    store = AddressStore(db_url)
    store.replace("p1", "R1", INVENTORY, full=True)
    assert _records(store) == {"subnet": [SUBNET], "port": [PORT], "floating_ip": [FIP],
                               "router_gateway": [GATEWAY]}
    renamed = dataclasses.replace(PORT, name="web-9")
    store.replace("p1", "R1", {"ports": [renamed]}, full=False)      # incremental
    assert _records(store)["port"] == [renamed]


def test_records_stored_without_names_load_with_empty_names(db_url):
    store = AddressStore(db_url)
    store.replace("p1", "R1", INVENTORY, full=True)
    names = {"subnet": ("name", "network_name"), "port": ("name", "network_name"),
             "floating_ip": ("description",), "router_gateway": ("name",)}
    with session_scope(db_url) as s:     # as the version before names wrote them
        for row in s.query(AddressRecord).all():
            data = {k: v for k, v in row.data.items() if k not in names[row.kind]}
            s.execute(update(AddressRecord).where(AddressRecord.id == row.id)
                      .values(data=data))
    loaded = _records(store)
    assert loaded["subnet"] == [dataclasses.replace(SUBNET, name="", network_name="")]
    assert (loaded["port"][0].name, loaded["port"][0].network_name) == ("", "")
    assert loaded["port"][0].fixed_ips == PORT.fixed_ips
    assert loaded["floating_ip"][0].description == ""
    assert loaded["router_gateway"][0].name == "" and loaded["router_gateway"][0].ips == \
        GATEWAY.ips
    assert loaded["subnet"][0].side()["subnet_name"] == ""


def test_fields_of_a_newer_version_are_ignored(db_url):
    store = AddressStore(db_url)
    store.replace("p1", "R1", {"subnets": [SUBNET]}, full=True)
    with session_scope(db_url) as s:
        row = s.query(AddressRecord).one()
        s.execute(update(AddressRecord).where(AddressRecord.id == row.id)
                  .values(data={**row.data, "dns_domain": "example.org."}))
    assert _records(store)["subnet"] == [SUBNET]
