"""Which project a notification is about (pure)."""
from albatross.events.extract import extract


def test_the_owner_is_the_resources_project_even_when_an_admin_acts():
    admin_ctx = {"project_id": "admin-project", "user_id": "admin"}
    deleted = extract(admin_ctx, "network.r1", "network.delete.end",
                      {"network_id": "n1", "network": {"id": "n1", "project_id": "tenant"}})
    assert deleted.project_id == "admin-project" and deleted.owner_id == "tenant"
    created = extract(admin_ctx, "network.r1", "port.create.end",
                      {"port": {"id": "p1", "tenant_id": "tenant"}})
    assert created.owner_id == "tenant"
    nova = extract({"project_id": "tenant"}, "compute.h", "compute.instance.create.end",
                   {"instance_id": "i1", "tenant_id": "tenant"})
    assert nova.owner_id == "tenant"
    assert extract({"project_id": "p"}, "x", "y", {"id": 1}).owner_id == "p"
