"""Every policy rule governs its routes: denied in policy.yaml ("!"), each route of the route
table that declares it answers 403 to a caller whom the default rules let through there. Rules are declared in the route table only (api/authz.py), so a rule that
a handler or a service shadowed would pass the control and fail the denial here."""
import json
import uuid

import pytest

from albatross.api import policies
from albatross.api.deploy import all_routes
from albatross.api.policies import base

BASE_RULES = {r.name for r in base.RULES}
RULES = [r for r in policies.list_rules() if r.name not in BASE_RULES]
ADMIN_ONLY = {r.name for r in RULES if r.check_str == base.ADMIN}


def _other_user_keypairs(_who):
    return {"source_region": "RegionOne", "target_regions": ["RegionTwo"],
            "keypairs": ["k1"], "user_id": uuid.uuid4().hex}


def _kingbird(kind):
    return lambda _who: {"resource_set": {"resource_type": kind, "resources": ["x1"],
                                          "source": "RegionOne", "target": ["RegionTwo"]}}


# what a request needs beyond the route's path for the rule to be the one that decides:
# (rule, method, path) -> query string or body builder (the rule is checked on valid input)
NEEDS = {
    ("albatross:keypairs:sync:other_user", "POST", "/v1/keypairs/sync"):
        {"body": _other_user_keypairs},
    ("albatross:flavors:sync", "POST", "/v1.0/{project_id}/os-sync"):
        {"body": _kingbird("flavor")},
    ("albatross:images:sync", "POST", "/v1.0/{project_id}/os-sync"):
        {"body": _kingbird("image")},
    ("albatross:security_groups:sync", "POST", "/v1/security-groups/sync"):
        {"body": lambda who: {"source_region": "RegionOne", "target_regions": ["RegionTwo"],
                              "all": True, "project_id": who.project_id}},
    # an operator's indicator: without the rule for every series, a member's view
    ("albatross:indicators:all", "GET", "/v1/indicators"): {"query": "name=capacity"},
}


def route_rules():
    """(rule, method, path) for every rule a route of the route table declares."""
    out = []
    for route in all_routes():
        rules = [route.policy] + [w.rule for w in route.requires] + list(route.grants.values())
        out += [(rule, route.method, route.path) for rule in rules if rule]
    return out


def cases():
    for rule, method, path in route_rules():
        yield pytest.param(rule, method, path, id=f"{rule} {method} {path}")


def _url(path: str, who) -> str:
    filled = path.replace("{project_id}", who.project_id).replace(
        "{target_project}", who.project_id).replace("{class_name}", "default")
    while "{" in filled:   # any object id: the rule is checked before the object is looked up
        start, end = filled.index("{"), filled.index("}")
        filled = filled[:start] + str(uuid.uuid4()) + filled[end + 1:]
    return filled


def _call(api, who, rule, method, path):
    needs = NEEDS.get((rule, method, path)) or (
        {"query": "all_projects=true"} if rule.endswith(":all_projects") else {})
    url = _url(path, who)
    if needs.get("query"):
        url += ("&" if "?" in url else "?") + needs["query"]
    body = needs["body"](who) if "body" in needs else None
    return api.request(method, url, who=who, json=body)


@pytest.mark.parametrize("rule,method,path", list(cases()))
def test_denying_a_rule_forbids_its_route(policy_file, api, rule, method, path):
    who = api.identity(roles=("admin", "member", "reader")) if rule in ADMIN_ONLY \
        else api.identity(roles=("member", "reader"), admin_project=False)
    allowed = _call(api, who, rule, method, path)
    assert allowed.status_int != 403, (allowed.status_int, allowed.text)
    policy_file.write_text(json.dumps({rule: "!"}))
    denied = _call(api, who, rule, method, path)
    assert denied.status_int == 403, (denied.status_int, denied.text)


def test_every_rule_governs_a_route_and_documents_each(api):
    """So the test above covers every rule; the rules' documentation (policy.yaml samples)
    names every route that uses them; and the OpenAPI document shows each route's rule."""
    declared = set(route_rules())
    assert {r.name for r in RULES} == {rule for rule, _m, _p in declared}
    documented = {(r.name, o["method"], o["path"].split("?")[0]) for r in RULES
                  for o in r.operations}
    assert declared <= documented, declared - documented
    doc = api.request("GET", "/v1/openapi.json").json
    shown = {(op["x-policy"]["rule"], method.upper(), path)
             for path, item in doc["paths"].items() for method, op in item.items()
             if "x-policy" in op}
    assert shown == {(r.policy, r.method, r.path) for r in all_routes() if r.policy}
