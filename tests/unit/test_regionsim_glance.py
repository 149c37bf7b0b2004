"""The simulator's Glance (regionsim/glance.py, pure): records as Glance makes and refuses
them, the upload's status transitions and hashes, JSON patches whole or not at all, protected
images kept, members of shared images only, the listing's filters and pages, the link that
paces image data."""
import hashlib
import uuid

import pytest

from albatross.regionsim.errors import ApiError
from albatross.regionsim.glance import Images, Link, shown

PATCH = "application/openstack-images-v2.1-json-patch"
RAW = {"disk_format": "raw", "container_format": "bare"}


def _status(call) -> int | None:
    try:
        call()
    except ApiError as exc:
        return exc.status
    return None


def _uploaded(images: Images, image_id: str, chunks: list[bytes]) -> dict:
    received = images.begin_upload(image_id)
    for chunk in chunks:
        received.add(chunk)
    images.finish_upload(image_id, received)
    return images.get(image_id)


def test_a_record_is_made_as_glance_makes_it():
    images = Images()
    image_id = str(uuid.uuid4())
    img = images.create({"id": image_id, "name": "a", "owner": "p", "tags": ["b", "a", "b"],
                         "foo": "bar", **RAW})
    assert (img["status"], img["visibility"], img["tags"], img["size"]) == (
        "queued", "shared", ["a", "b"], None)
    view = shown(img, has_data=False)
    assert list(view)[:2] == ["foo", "name"] and "stores" not in view   # properties first
    assert view["file"] == f"/v2/images/{image_id}/file"
    assert _status(lambda: images.create({"id": image_id})) == 409
    images.delete(image_id)
    assert _status(lambda: images.create({"id": image_id})) == 409     # never reused


@pytest.mark.parametrize("body, status", [
    ({"foo": 1}, 400), ({"disk_format": "floppy"}, 400), ({"id": "not-a-uuid"}, 400),
    ({"min_ram": True}, 400), ({"status": "active"}, 403), ({"self": "x"}, 403),
    ({"os_glance_x": "y"}, 403), ({"deleted": "y"}, 403)])
def test_what_glance_refuses_in_a_new_record(body, status):
    assert _status(lambda: Images().create(body)) == status


def test_an_upload_goes_queued_saving_active_with_glances_hashes():
    images = Images()
    image_id = images.create(RAW)["id"]
    chunks = [b"a" * 1000, b"b" * 10]
    received = images.begin_upload(image_id)
    assert images.get(image_id)["status"] == "saving"
    assert _status(lambda: images.begin_upload(image_id)) == 409       # one at a time
    for chunk in chunks:
        received.add(chunk)
    images.finish_upload(image_id, received)
    img, data = images.get(image_id), b"".join(chunks)
    assert (img["status"], img["size"], img["virtual_size"]) == ("active", 1010, 1010)
    assert img["checksum"] == hashlib.md5(data).hexdigest()
    assert (img["os_hash_algo"], img["os_hash_value"]) == ("sha512",
                                                           hashlib.sha512(data).hexdigest())
    assert all(a is b for a, b in zip(images.chunks(image_id), chunks))   # kept, not copied
    assert "stores" in shown(img, has_data=True)
    assert _status(lambda: images.begin_upload(image_id)) == 409       # active: no more data


def test_an_upload_that_cannot_finish_leaves_the_image_as_glance_does():
    images = Images()
    bare = images.create({})["id"]
    assert _status(lambda: images.begin_upload(bare)) == 400          # no formats yet
    assert images.get(bare)["status"] == "queued"
    broken = images.create(RAW)["id"]
    images.begin_upload(broken).add(b"half")
    images.abort_upload(broken)
    assert images.get(broken)["status"] == "queued" and images.chunks(broken) is None
    assert _uploaded(images, broken, [b"all"])["size"] == 3          # a retry works
    gone = images.create(RAW)["id"]
    received = images.begin_upload(gone)
    images.delete(gone)
    assert _status(lambda: images.finish_upload(gone, received)) == 410
    empty = _uploaded(images, images.create(RAW)["id"], [])
    assert (empty["size"], empty["virtual_size"], empty["checksum"]) == (
        0, None, hashlib.md5(b"").hexdigest())
    other = _uploaded(images, images.create({"disk_format": "qcow2",
                                             "container_format": "bare"})["id"], [b"x"])
    assert other["virtual_size"] is None                     # only raw is sized here


def test_a_patch_applies_whole_or_not_at_all():
    images = Images()
    image_id = images.create({"foo": "bar", **RAW})["id"]
    img = images.update(image_id, PATCH, [
        {"op": "add", "path": "/x", "value": "y"}, {"op": "replace", "path": "/foo",
                                                   "value": "baz"},
        {"op": "replace", "path": "/protected", "value": True},
        {"op": "add", "path": "/os_hidden", "value": True}])
    assert (img["x"], img["foo"], img["protected"], img["os_hidden"]) == ("y", "baz", True,
                                                                           True)
    before = dict(images.get(image_id))
    for change, status in [({"op": "remove", "path": "/nope"}, 409),
                           ({"op": "replace", "path": "/nope", "value": "x"}, 409),
                           ({"op": "remove", "path": "/name"}, 403),
                           ({"op": "replace", "path": "/status", "value": "x"}, 403),
                           ({"op": "add", "path": "/x", "value": 3}, 400),
                           ({"op": "move", "path": "/x"}, 400)]:
        assert _status(lambda: images.update(
            image_id, PATCH, [{"op": "remove", "path": "/x"}, change])) == status, change
    assert images.get(image_id) == before
    assert _status(lambda: images.update(image_id, "application/json", [])) == 415
    draft4 = "application/openstack-images-v2.0-json-patch"
    assert "x" not in images.update(image_id, draft4, [{"remove": "/x"}])


def test_tags_protection_and_members():
    images = Images()
    image_id = images.create({"visibility": "private"})["id"]
    images.add_tag(image_id, "t")
    assert images.get(image_id)["tags"] == ["t"]
    assert _status(lambda: images.remove_tag(image_id, "other")) == 404
    images.remove_tag(image_id, "t")
    assert _status(lambda: images.add_tag(str(uuid.uuid4()), "t")) == 404
    assert _status(lambda: images.member(image_id, "m")) == 404       # only shared ones
    assert _status(lambda: images.add_member(image_id, "m")) == 403
    images.update(image_id, PATCH, [{"op": "replace", "path": "/visibility",
                                     "value": "shared"}])
    assert _status(lambda: images.member(image_id, "m")) == 404
    assert images.add_member(image_id, "m")["status"] == "pending"
    assert _status(lambda: images.add_member(image_id, "m")) == 409
    assert images.member(image_id, "m")["member_id"] == "m"
    images.update(image_id, PATCH, [{"op": "replace", "path": "/protected", "value": True}])
    assert _status(lambda: images.delete(image_id)) == 403
    images.update(image_id, PATCH, [{"op": "replace", "path": "/protected", "value": False}])
    images.delete(image_id)
    assert _status(lambda: images.get(image_id)) == 404
    assert _status(lambda: images.delete(image_id)) == 404


def _names(body: dict) -> list[str]:
    return [i["name"] for i in body["images"]]


def test_the_listing_pages_newest_first_as_glance_does():
    images = Images()
    for i in range(5):
        images.create({"name": f"n{i}", "owner": "p"})
        images.images[next(reversed(images.images))]["created_at"] = f"2026-01-01T00:00:0{i}Z"
    first = images.listing([("owner", "p"), ("limit", "2")])
    assert _names(first) == ["n4", "n3"] and first["first"] == "/v2/images?owner=p&limit=2"
    assert first["next"].startswith("/v2/images?owner=p&limit=2&marker=")
    marker = first["next"].rsplit("=", 1)[1]
    second = images.listing([("owner", "p"), ("limit", "2"), ("marker", marker)])
    assert _names(second) == ["n2", "n1"] and "next" in second
    last = images.listing([("limit", "2"), ("marker", second["images"][-1]["id"])])
    assert _names(last) == ["n0"] and "next" not in last
    full = images.listing([("limit", "5")])
    assert len(full["images"]) == 5 and "next" in full                 # a full page: next
    assert images.listing([("limit", "5"), ("marker", full["images"][-1]["id"])])[
        "images"] == []
    for _ in range(30):
        images.create({})
    assert len(images.listing([])["images"]) == 25                     # Glance's default
    for query in ([("limit", "x")], [("limit", "-1")], [("marker", str(uuid.uuid4()))],
                  [("os_hidden", "maybe")], [("visibility", "secret")], [("sort", "name")]):
        assert _status(lambda: images.listing(query)) == 400, query


def test_the_listing_filters_as_glance_does_for_an_admin():
    images = Images()
    ids = {name: images.create({"name": name, **fields})["id"] for name, fields in [
        ("hidden", {"os_hidden": True}), ("community", {"visibility": "community"}),
        ("tagged", {"tags": ["x", "y"], "owner": "p"}), ("prop", {"k": "v", "owner": "q"}),
        ("plain", {"protected": True})]}

    def names(*query):
        return sorted(_names(images.listing(list(query))))
    assert names() == ["plain", "prop", "tagged"]
    assert names(("os_hidden", "true")) == ["hidden"]
    assert names(("visibility", "community")) == ["community"]
    assert names(("visibility", "all")) == ["community", "plain", "prop", "tagged"]
    assert names(("tag", "x"), ("tag", "y")) == ["tagged"]
    assert names(("tag", "x"), ("tag", "z")) == []
    assert names(("k", "v")) == ["prop"] and names(("owner", "p")) == ["tagged"]
    assert names(("protected", "true")) == ["plain"]
    assert names(("id", f"in:{ids['plain']},{ids['hidden']}")) == ["plain"]
    assert names(("name", "in:plain,prop"), ("visibility", "all")) == ["plain", "prop"]


def test_a_link_is_shared_chunk_by_chunk():
    link = Link()
    assert link.delay(10**6, 0, at=0.0) == 0.0                          # unlimited
    assert link.delay(10**6, 8, at=0.0) == pytest.approx(1.0)           # 1 MB at 8 Mbit/s
    assert link.delay(10**6, 8, at=0.0) == pytest.approx(2.0)           # queued behind it
    assert link.delay(10**6, 8, at=5.0) == pytest.approx(1.0)           # idle since
