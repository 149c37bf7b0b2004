"""A region's connections name each endpoint of its catalog entry, so that no call makes
keystoneauth copy the whole catalog to find it; a connection for another project names that
project where the service's own is in the URL (Cinder's)."""
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


def test_a_users_connection_names_its_own_project_where_the_url_has_one():
    acting = endpoint_overrides(REGION, ("svcproject", "userproject"))
    assert acting["block_storage_endpoint_override"] == "http://h/R7/volume/v3/userproject"
    assert acting["compute_endpoint_override"] == "http://h/R7/compute/v2.1"
    assert endpoint_overrides(REGION, ("svcproject", "svcproject")) == endpoint_overrides(
        REGION)
