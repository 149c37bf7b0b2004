"""Issue 14, findings 1 and 2: an image another project owns may be visible to a caller
(public, community, shared) but never synced, ensured or rolled out by them: copies are the
owner's (its quota in every region), and waves and roll backs rewrite the owner's images.
Refused with 403 naming the field, before any job, trust or rollout is made."""
import json

import pytest

from tests.functional.test_image_modes_api import glance, put_image  # noqa: F401  (fixture)

REGIONS = ["R1", "R2", "R3"]


def error(resp):
    return json.loads(resp.body)["error"]


@pytest.mark.parametrize("visibility", ["public", "community"])
def test_another_projects_visible_image_cannot_be_copied(api, glance, visibility):  # noqa: F811
    me = api.identity()
    image = put_image(glance, "R1", "owner-project", visibility)
    asks = [("POST", "/v1/images/sync", {"source_region": "R1", "target_regions": ["R2"],
                                         "images": [image]}, "images"),
            ("POST", "/v1/image-rollouts", {"image_id": image, "source_region": "R1",
                                            "waves": [["R2"], ["R3"]]}, "image_id")]
    for method, path, body, field in asks:
        resp = api.request(method, path, who=me, json=body)
        assert resp.status_int == 403, (path, resp.body)
        assert error(resp)["field"] == field and "another project" in error(resp)["message"]
    assert api.request("GET", "/v1/jobs", who=me).json == {"jobs": []}
    assert api.request("GET", "/v1/image-rollouts", who=me).json["rollouts"] == []
    assert api.rt.registry.trusts == {}


def test_the_owner_may_copy_its_own_image(api, glance):  # noqa: F811
    me = api.identity()
    image = put_image(glance, "R1", me.project_id, "public")
    resp = api.request("POST", "/v1/images/sync", who=me, json={
        "source_region": "R1", "target_regions": ["R2"], "images": [image]})
    assert resp.status_int == 202, resp.body
    # the job acts through a trust of the caller, on the caller's project
    assert list(api.rt.registry.trusts.values()) == [(me.user_id, me.project_id,
                                                      tuple(me.roles))]
