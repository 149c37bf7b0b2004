"""Flavor sync is for admins only, on /v1 and on Kingbird's os-sync; bad input names the
field. No region is reachable here, so an allowed, valid request ends in 503."""
import pytest

from tests.functional.test_api import error

GOOD = {"source_region": "R1", "target_regions": ["R2"], "flavors": ["m1.small"]}
ADMIN = ("admin", "member", "reader")


def _kb(flavors=("m1.small",), resource_type="flavor"):
    return {"resource_set": {"resource_type": resource_type, "resources": list(flavors),
                             "source": "R1", "target": ["R2"], "force": "True"}}


@pytest.mark.parametrize("roles", [("member", "reader"), ("reader",)])
def test_non_admins_are_refused(api, roles):
    me = api.identity(roles=roles)
    resp = api.request("POST", "/v1/flavors/sync", who=me, json=GOOD)
    assert resp.status_int == 403 and "albatross:flavors:sync" in error(resp)["message"]
    assert api.request("GET", "/v1/jobs", who=me).json == {"jobs": []}


def test_member_is_refused_on_kingbird_flavor_sync_but_not_keypair(api):
    me = api.identity()
    kb = f"/v1.0/{me.project_id}/os-sync/"
    resp = api.request("POST", kb, who=me, json=_kb())
    assert resp.status_int == 403 and "albatross:flavors:sync" in error(resp)["message"]
    # keypairs stay open to members (503: no catalog here, past the policy check)
    assert api.request("POST", kb, who=me, json=_kb(["k"], "keypair")).status_int == 503


def test_admin_request_reaches_the_regions(api):
    admin = api.identity(roles=ADMIN)
    assert api.request("POST", "/v1/flavors/sync", who=admin, json=GOOD).status_int == 503
    kb = f"/v1.0/{admin.project_id}/os-sync/"
    # flavor names may hold characters a keypair name may not
    assert api.request("POST", kb, who=admin, json=_kb(["gpu+large/2"])).status_int == 503


BAD_BODIES = [
    ({}, "source_region"),
    ({**GOOD, "flavors": []}, "flavors"),
    ({**GOOD, "flavors": "m1.small"}, "flavors"),
    ({**GOOD, "flavors": [""]}, "flavors[0]"),
    ({**GOOD, "flavors": ["f" * 256]}, "flavors[0]"),
    ({**GOOD, "flavors": ["f"] * 101}, "flavors"),
    ({**GOOD, "target_regions": "R2"}, "target_regions"),
    ({**GOOD, "target_regions": ["R2", 3]}, "target_regions[1]"),
    ({**GOOD, "force": "yes"}, "force"),
    ({**GOOD, "keypairs": ["k"]}, "keypairs"),
]


@pytest.mark.parametrize("body,field", BAD_BODIES)
def test_bad_bodies_name_the_field(api, body, field):
    admin = api.identity(roles=ADMIN)
    resp = api.request("POST", "/v1/flavors/sync", who=admin, json=body)
    assert resp.status_int == 400, resp.body
    err = error(resp)
    assert err["field"] == field and err["message"].startswith(field)


@pytest.mark.parametrize("body,field", [
    (_kb(["bad/keypair"], "keypair"), "resource_set.resources[0]"),
    (_kb([""]), "resource_set.resources[0]"),
    ({"resource_set": {"Sync": [_kb()["resource_set"], _kb(["k"], "keypair")["resource_set"]]}},
     "resource_type"),
])
def test_kingbird_bad_bodies(api, body, field):
    admin = api.identity(roles=ADMIN)
    resp = api.request("POST", f"/v1.0/{admin.project_id}/os-sync/", who=admin, json=body)
    assert resp.status_int == 400, resp.body
    assert error(resp)["field"] == field

