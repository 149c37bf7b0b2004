"""GET /v1/images, the image x region matrix, with three regions whose Glance is a dict: the
state of every cell (in sync, also under another id after a retry; different; copying;
missing), what another project sees, a region that does not answer, pages, the default
source region and the mode column."""
import json
import uuid

import pytest
from keystoneauth1 import exceptions as ks_exc
from openstack import exceptions as sdk_exc

from albatross.db.image_settings import SettingStore
from albatross.db.mappings import MappingStore
from albatross.db.jobs import TaskSpec

REGIONS = ["R1", "R2", "R3"]


class Conn:
    """A region's Glance as the service account (project None) or as a member's token."""

    def __init__(self, fake, region, project=None):
        self.fake, self.region, self.image, self.project = fake, region, self, project

    def get_member(self, member, image_id):
        self.fake.member_calls += 1
        if (image_id, member) not in self.fake.members:
            raise sdk_exc.NotFoundException("no member")
        return type("Member", (), {"status": self.fake.members[(image_id, member)]})


class Glance:
    """region -> {id: Glance's flat image dict}; members (image, project) -> status."""

    def __init__(self):
        self.images = {r: {} for r in REGIONS}
        self.members, self.down = {}, set()
        self.member_calls = 0  # Glance calls per shared image (the admin view makes them)

    # the registry
    def names(self):
        return list(REGIONS)

    def connection(self, region):
        return Conn(self, region)

    def acting_for(self, authority, request_id=None):
        fake = self

        class AsUser:
            def connection(self, region):
                return Conn(fake, region, authority.project_id)
        return AsUser()

    def fan_out(self, fn, names):
        out = {}
        for n in names:
            try:
                out[n] = fn(n)
            except Exception as exc:
                out[n] = exc
        return out

    # what the service lists
    def _sees(self, project, raw, visibility) -> bool:
        """Glance's listing for a member: by default owned, public and accepted shared
        images; community ones only when asked for."""
        if visibility == "community":
            return raw["visibility"] == "community"
        return raw["owner"] == project or raw["visibility"] == "public" or (
            raw["visibility"] == "shared" and
            self.members.get((raw["id"], project)) == "accepted")

    def list_raw(self, conn, **filters):
        if conn.region in self.down:
            raise ks_exc.ConnectFailure("down")
        out = []
        for raw in self.images[conn.region].values():
            if conn.project is not None:
                if self._sees(conn.project, raw, filters.get("visibility")):
                    out.append(dict(raw))
                continue
            if filters.get("owner") not in (None, raw["owner"]):
                continue
            if filters.get("visibility") not in (None, "all", raw["visibility"]):
                continue
            if "id" in filters and raw["id"] not in filters["id"][3:].split(","):
                continue
            if bool(filters.get("is_hidden", False)) != raw.get("os_hidden", False):
                continue
            out.append(dict(raw))
        return out

    def put(self, region, owner, image_id=None, visibility="private", digest="h1",
            **extra):
        image_id = image_id or str(uuid.uuid4())
        self.images[region][image_id] = {
            "id": image_id, "name": extra.pop("name", "img"), "status": "active",
            "owner": owner, "size": 1, "checksum": "m" + digest, "os_hash_algo": "sha512",
            "os_hash_value": digest, "visibility": visibility, "disk_format": "raw",
            "container_format": "bare", **extra}
        return image_id


@pytest.fixture
def glance(api, monkeypatch):
    fake = Glance()
    api.rt.registry = fake
    monkeypatch.setattr("albatross.regions.images.list_raw", fake.list_raw)
    return fake


def matrix(api, who, query=""):
    resp = api.request("GET", "/v1/images" + query, who=who)
    assert resp.status_int == 200, resp.body
    return resp.json


def cells(body):
    return {img["id"]: {r: c["state"] for r, c in img["regions"].items()}
            for img in body["images"]}


def test_every_cell_state(api, glance):
    me = api.identity()
    same = glance.put("R1", me.project_id)
    glance.put("R2", me.project_id, same)
    other = glance.put("R1", me.project_id, digest="h2")
    glance.put("R2", me.project_id, other, digest="old")
    retried = glance.put("R1", me.project_id)
    copy_id = glance.put("R3", me.project_id)          # a retry's copy has another id
    MappingStore(api.rt.store.db_url, "image", me.project_id, me.project_id, "R1",
                 "R3").put(retried, copy_id, created=True, task_id=None)
    job_id, _ = api.rt.store.create_job(
        project_id=me.project_id, user_id=me.user_id, kind="image_sync", params={},
        tasks=[TaskSpec("image", other, "R1", "R3", False, {})])
    body = matrix(api, me, "?source=R1")
    assert body["source_region"] == "R1" and body["regions"] == REGIONS
    assert body["unreachable"] == [] and body["next_marker"] is None
    assert cells(body) == {
        same: {"R1": "source", "R2": "in_sync", "R3": "missing"},
        other: {"R1": "source", "R2": "different", "R3": "copying"},
        retried: {"R1": "source", "R2": "missing", "R3": "in_sync"}}
    rows = {img["id"]: img for img in body["images"]}
    assert rows[retried]["regions"]["R3"]["id"] == copy_id
    assert rows[other]["regions"]["R3"]["job_id"] == job_id
    assert rows[same]["os_hash_value"] == "h1" and rows[same]["mode"] == "none"


def test_what_another_project_sees(api, glance):
    me, other = api.identity(), api.identity()
    mine = glance.put("R1", me.project_id)
    public = glance.put("R1", other.project_id, visibility="public")
    community = glance.put("R1", other.project_id, visibility="community")
    shared = glance.put("R1", other.project_id, visibility="shared")
    glance.put("R1", other.project_id, visibility="shared")   # not shared with me
    glance.put("R1", other.project_id)                        # private
    glance.members[(shared, me.project_id)] = "accepted"
    assert set(cells(matrix(api, me))) == {mine, public, community, shared}
    # a member's view is the member's own listing: no call per shared image (finding 6)
    assert glance.member_calls == 0
    assert mine not in cells(matrix(api, other))
    admin = api.identity(roles=("admin", "member", "reader"), project_id=me.project_id)
    assert set(cells(matrix(api, admin))) == {mine, public, community, shared}


def test_a_region_that_does_not_answer_is_named(api, glance):
    me = api.identity()
    image = glance.put("R1", me.project_id)
    glance.put("R2", me.project_id, image)
    glance.down.add("R3")
    body = matrix(api, me)
    assert [u["region"] for u in body["unreachable"]] == ["R3"]
    assert cells(body)[image] == {"R1": "source", "R2": "in_sync", "R3": "unreachable"}
    resp = api.request("GET", "/v1/images?source=R3", who=me)
    assert resp.status_int == 503


def test_pages_by_image_id(api, glance):
    me = api.identity()
    ids = sorted(glance.put("R1", me.project_id) for _ in range(5))
    first = matrix(api, me, "?limit=2")
    assert [i["id"] for i in first["images"]] == ids[:2] and first["next_marker"] == ids[1]
    rest = matrix(api, me, f"?limit=3&marker={ids[1]}")
    assert [i["id"] for i in rest["images"]] == ids[2:] and rest["next_marker"] is None


def test_source_defaults_to_the_project_setting_and_unknown_is_400(api, glance):
    me = api.identity()
    assert matrix(api, me)["source_region"] == "R1"
    image = glance.put("R2", me.project_id)
    store = SettingStore(api.rt.store.db_url)
    store.put(me.project_id, "", mode="lazy", source_region="R2", target_regions=None,
              propagate_deletes=False)
    store.put(me.project_id, image, mode="none", source_region=None, target_regions=None,
              propagate_deletes=False)
    body = matrix(api, me)
    assert body["source_region"] == "R2"
    assert [(i["mode"], i["mode_set_on"]) for i in body["images"]] == [("none", "image")]
    resp = api.request("GET", "/v1/images?source=R9", who=me)
    assert resp.status_int == 400 and json.loads(resp.body)["error"]["field"] == "source"


def test_reader_may_list_and_a_token_without_a_role_may_not(api, glance):
    reader = api.identity(roles=("reader",))
    assert api.request("GET", "/v1/images", who=reader).status_int == 200
    nobody = api.identity(roles=("other",))
    assert api.request("GET", "/v1/images", who=nobody).status_int == 403
