"""Next-free-CIDR allocation decides from what its own live read of every region saw, plus
the reservations read before it: another refresh storing an older snapshot meanwhile (the
periodic one, or the incremental read after a concurrent allocation) cannot make it hand out
a CIDR that Neutron already has."""
from types import SimpleNamespace

import pytest

from albatross.addresses.model import Subnet
from albatross.db.addresses import AddressStore
from albatross.services import addresses as address_service
from albatross.services.caller import Caller

REGIONS = ["R1", "R2"]


class Regions:
    """Two regions: R1's Neutron already has 10.70.0.0/24; created subnets are recorded."""

    def __init__(self):
        self.created = []

    def names(self):
        return REGIONS

    def fan_out(self, fn, names):
        return {n: fn(n) for n in names}

    def acting_for(self, authority, request_id=None):
        assert authority.token == "member-token"  # the subnet is made as the caller
        return self

    def connection(self, region):
        def create_subnet(**fields):
            self.created.append(fields["cidr"])
            return SimpleNamespace(id=f"sub-{len(self.created)}")
        return SimpleNamespace(network=SimpleNamespace(
            create_subnet=create_subnet,
            get_network=lambda network_id: SimpleNamespace(id=network_id, project_id="p")))


def inventory(conn, region, project_id, changed_since=None):
    subnets = [Subnet("R1", project_id, "net-1", "old", "10.70.0.0/24", 4)] \
        if region == "R1" else []
    return {"subnets": subnets, "ports": [], "floating_ips": [], "router_gateways": []}


@pytest.fixture
def setup(api, monkeypatch):
    """(runtime, regions, store) with the plan 10.70.0.0/16 for project p."""
    regions = Regions()
    monkeypatch.setattr(api.rt, "registry", regions)
    monkeypatch.setattr(address_service.neutron, "read_inventory", inventory)
    store = AddressStore(api.rt.store.db_url)
    store.set_plan("p", ["10.70.0.0/16"], {})
    return api.rt, regions, store


def allocate(rt):
    caller = Caller(user_id="u", project_id="p", roles=("member",), token="member-token")
    return address_service.allocate(rt, caller, "p", region="R2", network_id="net-2", prefixlen=24,
                                    ip_version=4, name=None)


def test_a_stale_snapshot_stored_meanwhile_does_not_hide_a_used_cidr(setup, monkeypatch):
    rt, regions, _store = setup
    # another refresh, started before 10.70.0.0/24 existed, stores its empty snapshot right
    # after ours: the stored inventory no longer shows the subnet
    monkeypatch.setattr(AddressStore, "replace", lambda self, *a, **kw: None)
    got = allocate(rt)
    assert got["cidr"] == "10.70.1.0/24" and regions.created == ["10.70.1.0/24"]


def test_a_reservation_read_before_the_live_read_counts(setup):
    rt, _regions, store = setup
    store.reserve(project_id="p", region="R1", network_id="net-1", cidr="10.70.1.0/24",
                  ip_version=4)      # another allocation is creating its subnet right now
    assert allocate(rt)["cidr"] == "10.70.2.0/24"
