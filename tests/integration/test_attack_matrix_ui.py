"""The attacker's matrix for the dashboard, generated from its route table: without a
session every page sends to the login and every action is refused; a member of project B,
logged in, gets project A's job and rollout pages as 404 and every action on A's objects
refused. Afterwards A is unchanged, in Albatross (its job, policy and rollout) and in every
region."""
import re

import pytest
import requests

from albatross.ui.pages import all_routes
from tests.integration.test_attack_matrix import (_region_state,  # noqa: F401 (fixture)
                                                   victim_and_attacker)

pytestmark = pytest.mark.devcloud
PUBLIC = {("GET", "/ui/login"), ("POST", "/ui/login"), ("GET", "/ui/static/{name}")}
ACTION = "approve"  # of /ui/rollouts/{rollout_id}/{action}


def _ui_path(path: str, a: dict) -> str:
    out = (path.replace("{job_id}", a["job_id"]).replace("{policy_id}", a["policy_id"])
           .replace("{rollout_id}", a["rollout_id"]).replace("{action}", ACTION))
    assert "{" not in out, f"{path}: no case for its parameter"
    return out


def _login(base_url: str, token: str) -> tuple[requests.Session, str]:
    """A dashboard session logged in with `token`, and its CSRF token."""
    s = requests.Session()
    form = s.get(base_url + "/ui/login", timeout=30).text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
    resp = s.post(base_url + "/ui/login", data={"csrf_token": csrf, "token": token,
                                                "next": "/ui/"}, timeout=60)
    assert resp.status_code == 200 and "/ui/login" not in resp.url, resp.text[:500]
    page = s.get(base_url + "/ui/jobs", timeout=60).text
    return s, re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def _albatross_state(member, a: dict) -> dict:
    job = member.call("GET", f"/v1/jobs/{a['job_id']}").json()["job"]
    policy = member.call("GET", f"/v1/sync-policies/{a['policy_id']}").json()["policy"]
    rollout = member.call("GET", f"/v1/image-rollouts/{a['rollout_id']}").json()["rollout"]
    return {"job": (job["status"], job["task_counts"]),
            "policy": (policy["enabled"], policy["last_audit_at"], policy["last_job_id"]),
            "rollout": (rollout["state"], [w.get("job_id") for w in rollout["waves"]])}


def test_every_dashboard_route_refuses_another_project_and_no_session(
        albatross, cloud, project, regions, victim_and_attacker, capsys):
    a_member, a, other = victim_and_attacker
    session, csrf = _login(albatross.url, other.token)
    before = (_albatross_state(a_member, a), _region_state(cloud, project.id,
                                                           project.user_ids))
    failures, n_cases, routes = [], 0, all_routes()
    for route in routes:
        if (route.method, route.path) in PUBLIC or route.path == "/ui/logout":
            continue
        path = _ui_path(route.path, a)
        n_cases += 1
        anon = requests.request(route.method, albatross.url + path, timeout=60,
                                allow_redirects=False, data={"csrf_token": "x"})
        if route.method == "GET":
            if not (anon.status_code in (302, 303)
                    and "/ui/login" in anon.headers.get("Location", "")):
                failures.append(f"anonymous GET {path}: {anon.status_code}")
        elif anon.status_code not in (302, 303, 401, 403) or \
                "/ui/jobs/" in anon.headers.get("Location", ""):
            failures.append(f"anonymous POST {path}: {anon.status_code}")
        n_cases += 1
        data = {"csrf_token": csrf, "project": a["project_id"], "image_id": a["image_id"],
                "name": a["keypair"], "region": regions[1], "source": regions[0]}
        got = session.request(route.method, albatross.url + path, timeout=60,
                              allow_redirects=False,
                              data=data if route.method == "POST" else None)
        names_a = any(k in route.path for k in ("{job_id}", "{policy_id}", "{rollout_id}"))
        if got.status_code >= 500:
            failures.append(f"other {route.method} {path}: {got.status_code}")
        elif names_a and route.method == "GET" and got.status_code != 404:
            failures.append(f"other GET {path}: {got.status_code}, not 404")
        elif route.method == "POST" and "/ui/jobs/" in got.headers.get("Location", "") \
                and a["job_id"] in got.headers.get("Location", ""):
            failures.append(f"other POST {path}: acted on A's job")
    after = (_albatross_state(a_member, a), _region_state(cloud, project.id,
                                                          project.user_ids))
    with capsys.disabled():
        print(f"\n[attack matrix, dashboard] {len(routes)} routes, {n_cases} cases")
    assert not failures, "\n".join(failures)
    assert after == before, "project A changed"
