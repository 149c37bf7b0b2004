"""Image sync modes through the API, with three named regions and Glance stood in for by a
dict: policy (another project's default is 403), field-named 400s, the default and per-image
settings and how they combine, and lazy ensure's preferred source."""
import json
import uuid

import pytest

from tests.functional.conftest import TrustRecorder
from albatross.images.meta import ImageState
from albatross.services import image_modes

REGIONS = ["R1", "R2", "R3"]


def error(resp):
    return json.loads(resp.body)["error"]


class Regions(TrustRecorder):
    def names(self):
        return list(REGIONS)

    def connection(self, region):
        return region


@pytest.fixture
def glance(api, monkeypatch):
    """region -> {image id: ImageState}; what `read_image` finds."""
    images = {r: {} for r in REGIONS}
    api.rt.registry = Regions()
    monkeypatch.setattr("albatross.regions.images.read_image",
                        lambda conn, image_id: images[conn].get(image_id))
    return images


def put_image(glance, region, owner, visibility="private") -> str:
    image_id = str(uuid.uuid4())
    glance[region][image_id] = ImageState(image_id, "active", owner, 1, "m", "sha512", "h",
                                          False, {"name": "x", "visibility": visibility})
    return image_id


def _default(project_id):
    return f"/v1/projects/{project_id}/image-sync"


AUTO = {"mode": "auto", "source_region": "R1", "target_regions": ["R2", "R3"],
        "propagate_deletes": True}


def test_project_default_round_trip(api, glance):
    me = api.identity()
    got = api.request("GET", _default(me.project_id), who=me)
    assert got.status_int == 200 and got.json["image_sync"]["mode"] == "none"
    put = api.request("PUT", _default(me.project_id), who=me, json=AUTO)
    assert put.status_int == 200, put.body
    setting = put.json["image_sync"]
    assert {k: setting[k] for k in AUTO} == AUTO and setting["project_id"] == me.project_id
    assert api.request("GET", _default(me.project_id), who=me).json["image_sync"]["mode"] \
        == "auto"
    assert api.request("DELETE", _default(me.project_id), who=me).status_int == 204
    assert api.request("GET", _default(me.project_id), who=me).json["image_sync"]["mode"] \
        == "none"


def test_another_project_gets_403_and_an_admin_may(api, glance):
    owner, other = api.identity(), api.identity()
    admin = api.identity(roles=("admin", "member", "reader"))
    for method, body in (("GET", None), ("PUT", AUTO), ("DELETE", None)):
        resp = api.request(method, _default(owner.project_id), who=other, json=body)
        assert resp.status_int == 403, (method, resp.body)
    resp = api.request("PUT", _default(owner.project_id), who=admin, json=AUTO)
    assert resp.status_int == 200, resp.body
    assert api.request("GET", _default(owner.project_id), who=owner).json[
        "image_sync"]["target_regions"] == ["R2", "R3"]


def test_reader_sees_but_cannot_change(api, glance):
    member = api.identity()
    reader = api.identity(roles=("reader",), project_id=member.project_id)
    assert api.request("GET", _default(member.project_id), who=reader).status_int == 200
    assert api.request("PUT", _default(member.project_id), who=reader,
                       json=AUTO).status_int == 403
    image_id = put_image(glance, "R1", member.project_id)
    assert api.request("PUT", f"/v1/images/{image_id}/sync-mode", who=reader,
                       json={"mode": "none"}).status_int == 403


@pytest.mark.parametrize("body,field", [
    ({}, "mode"),
    ({"mode": "sometimes"}, "mode"),
    ({"mode": "controlled"}, "mode"),
    ({"mode": "auto", "target_regions": ["R2"]}, "source_region"),
    ({"mode": "auto", "source_region": "R1"}, "target_regions"),
    ({"mode": "auto", "source_region": "R9", "target_regions": ["R2"]}, "source_region"),
    ({"mode": "auto", "source_region": "R1", "target_regions": ["R2", "R9"]},
     "target_regions"),
    ({"mode": "auto", "source_region": "R1", "target_regions": ["R1"]}, "target_regions"),
    ({"mode": "auto", "source_region": "R1", "target_regions": []}, "target_regions"),
    ({"mode": "auto", "source_region": "R1", "target_regions": "R2"}, "target_regions"),
    ({"mode": "none", "target_regions": ["R2"]}, "target_regions"),
    ({"mode": "none", "source_region": "R1"}, "source_region"),
    ({"mode": "lazy", "propagate_deletes": True}, "propagate_deletes"),
    ({"mode": "lazy", "source_region": "R9"}, "source_region"),
    ({"mode": "lazy", "colour": "red"}, "colour"),
])
def test_bad_settings_name_the_field(api, glance, body, field):
    me = api.identity()
    resp = api.request("PUT", _default(me.project_id), who=me, json=body)
    assert resp.status_int == 400, resp.body
    assert error(resp)["field"] == field
    image_id = put_image(glance, "R1", me.project_id)
    resp = api.request("PUT", f"/v1/images/{image_id}/sync-mode", who=me, json=body)
    assert resp.status_int == 400 and error(resp)["field"] == field, resp.body


def test_image_mode_overrides_the_default_and_inherits_its_regions(api, glance):
    me = api.identity()
    image_id = put_image(glance, "R2", me.project_id)
    path = f"/v1/images/{image_id}/sync-mode"
    api.request("PUT", _default(me.project_id), who=me, json=AUTO)
    got = api.request("GET", path, who=me).json["sync_mode"]
    assert (got["mode"], got["set_on"], got["source_region"]) == ("auto", "project", "R1")
    resp = api.request("PUT", path, who=me, json={"mode": "none"})
    assert resp.status_int == 200 and resp.json["sync_mode"]["set_on"] == "image"
    resp = api.request("PUT", path, who=me, json={"mode": "auto", "target_regions": ["R3"]})
    mode = resp.json["sync_mode"]
    assert (mode["mode"], mode["source_region"], mode["target_regions"],
            mode["propagate_deletes"]) == ("auto", "R1", ["R3"], False)
    assert api.request("DELETE", path, who=me).status_int == 204
    assert api.request("GET", path, who=me).json["sync_mode"]["set_on"] == "project"


def test_image_must_be_visible_and_auto_only_for_own_images(api, glance):
    me, other = api.identity(), api.identity()
    private = put_image(glance, "R1", other.project_id)
    public = put_image(glance, "R3", other.project_id, visibility="public")
    for method, body in (("GET", None), ("PUT", {"mode": "lazy"}), ("DELETE", None)):
        resp = api.request(method, f"/v1/images/{private}/sync-mode", who=me, json=body)
        assert resp.status_int == 404 and error(resp)["field"] == "image_id", method
    resp = api.request("PUT", f"/v1/images/{public}/sync-mode", who=me, json={
        "mode": "auto", "source_region": "R3", "target_regions": ["R1"]})
    assert resp.status_int == 400 and error(resp)["field"] == "mode"
    resp = api.request("PUT", f"/v1/images/{public}/sync-mode", who=me,
                       json={"mode": "lazy", "source_region": "R3"})
    assert resp.status_int == 200, resp.body
    assert resp.json["sync_mode"]["project_id"] == me.project_id
    # the setting is the caller's project's: the owner's view is untouched
    assert api.request("GET", f"/v1/images/{public}/sync-mode", who=other).json[
        "sync_mode"]["set_on"] == "default"


def test_lazy_ensure_looks_first_in_the_settings_source(api, glance):
    me = api.identity()
    image_id = put_image(glance, "R3", me.project_id)
    caller = type("C", (), {"project_id": me.project_id})()
    assert image_modes.default_source(api.rt, caller, image_id) is None
    api.request("PUT", _default(me.project_id), who=me,
                json={"mode": "lazy", "source_region": "R2"})
    assert image_modes.default_source(api.rt, caller, image_id) == "R2"
    api.request("PUT", f"/v1/images/{image_id}/sync-mode", who=me,
                json={"mode": "lazy", "source_region": "R3"})
    assert image_modes.default_source(api.rt, caller, image_id) == "R3"
