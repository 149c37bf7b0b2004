"""GET /v1/images on the real dev cloud: an image synced from the first region to the second
is in_sync there and missing in the third; an image of the same id with other bytes is
different; another project does not see a private image, but sees a public one."""
import pytest

from tests.integration.conftest import wait_job
from tests.integration.test_image_sync import image_bytes, upload

pytestmark = pytest.mark.devcloud


@pytest.fixture
def member(project, albatross):
    return project.api_member(albatross.url)


def row_of(user, source, image_id):
    resp = user.call("GET", f"/v1/images?source={source}")
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["source_region"] == source and body["unreachable"] == []
    return next((img for img in body["images"] if img["id"] == image_id), None), body


def test_synced_image_is_in_sync_there_and_missing_elsewhere(member, users, regions):
    src, dst, other = regions[0], regions[1], regions[2]
    img = upload(member.conn(src), "matrix", image_bytes(1, "matrix"), visibility="private")
    resp = member.call("POST", "/v1/images/sync", json={
        "source_region": src, "target_regions": [dst], "images": [img.id]})
    assert resp.status_code == 202, resp.text
    job = wait_job(member, resp.json()["job"]["id"], timeout=300)
    assert job["status"] == "SUCCESS", job

    row, body = row_of(member, src, img.id)
    assert set(regions) <= set(body["regions"])
    assert row is not None, body
    states = {r: cell["state"] for r, cell in row["regions"].items()}
    assert states[src] == "source" and states[dst] == "in_sync" and states[other] == "missing"
    assert row["regions"][dst]["id"] == img.id and row["regions"][dst]["status"] == "active"
    assert (row["name"], row["status"], row["owner"], row["visibility"], row["mode"]) == (
        "matrix", "active", member.project_id, "private", "none")
    assert row["os_hash_value"] == member.conn(src).image.get_image(img.id).hash_value
    assert row["size"] == 1024 * 1024

    # the same id with other bytes in the third region: present, not identical
    member.conn(other).image.create_image(
        name="matrix", id=img.id, disk_format="raw", container_format="bare",
        data=image_bytes(1, "not the same"), validate_checksum=False, wait=True)
    row, _ = row_of(member, src, img.id)
    assert row["regions"][other]["state"] == "different"

    alt_row, _ = row_of(users["alt"], src, img.id)
    assert alt_row is None                      # another project: a private image is not there


def test_another_project_sees_a_public_image(member, users, regions, cloud):
    src = regions[0]
    img = upload(cloud["conns"][src], "matrix-public", image_bytes(1, "matrix-public"),
                 visibility="public")
    try:
        row, _ = row_of(users["alt"], src, img.id)
        assert row is not None and row["visibility"] == "public"
        assert row["regions"][regions[1]]["state"] == "missing"
    finally:
        cloud["conns"][src].image.delete_image(img.id)
