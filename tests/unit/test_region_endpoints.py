"""A region's connections name each endpoint of its catalog entry, so that no call makes
keystoneauth copy the whole catalog to find it; a connection for another project leaves the
endpoints that name the service's own project (Cinder's) to the catalog."""
from albatross.regions.registry import Region, endpoint_overrides

REGION = Region("R7", "cloud", "R7", {
    "compute": "http://h/R7/compute/v2.1", "network": "http://h/R7/network",
    "block-storage": "http://h/R7/volume/v3/svcproject", "image": "http://h/R7/image"},
    keystone="http://k/v3")


def test_the_service_connection_names_every_endpoint():
    assert endpoint_overrides(REGION) == {
        "compute_endpoint_override": "http://h/R7/compute/v2.1",
        "network_endpoint_override": "http://h/R7/network",
        "block_storage_endpoint_override": "http://h/R7/volume/v3/svcproject",
        "image_endpoint_override": "http://h/R7/image",
        "identity_endpoint_override": "http://k/v3"}


def test_a_users_connection_leaves_the_service_projects_urls_to_the_catalog():
    acting = endpoint_overrides(REGION, unless_in_url="svcproject")
    assert "block_storage_endpoint_override" not in acting
    assert acting["compute_endpoint_override"] == "http://h/R7/compute/v2.1"
