"""Security group cloning end to end: real Neutron in every region, the HTTP API, real tokens
of a throwaway project's member."""
import pytest

from tests.integration.conftest import wait_job

pytestmark = pytest.mark.devcloud


def canonical(conn, project_id: str, names: set[str]) -> dict[str, set[tuple]]:
    """The named groups' rules with every id replaced by the name it stands for, so a
    source and its copies compare equal exactly when every rule was translated right."""
    groups = list(conn.network.security_groups(project_id=project_id))
    by_id = {g.id: g.name for g in groups}
    ags = {a.id: a.name for a in conn.network.address_groups(project_id=project_id)}
    out = {}
    for g in groups:
        if g.name not in names:
            continue
        assert g.name not in out, f"two groups named {g.name}"
        out[g.name] = {(r["direction"], r["ethertype"], r["protocol"], r["port_range_min"],
                        r["port_range_max"], r["remote_ip_prefix"],
                        by_id.get(r["remote_group_id"]),
                        ags.get(r["remote_address_group_id"]), r["description"])
                       for r in g.security_group_rules}
    return out


def rule_ids(conn, project_id: str) -> set[str]:
    return {r["id"] for g in conn.network.security_groups(project_id=project_id)
            for r in g.security_group_rules}


def build_source(conn, tag: str) -> dict:
    """web (IPv4 + IPv6 rules, itself, db, an address group) and db (web): a cycle."""
    net = conn.network
    ag = net.create_address_group(name=f"{tag}-office", description="office ranges",
                                  addresses=["10.1.0.0/24", "2001:db8::/64"])
    web = net.create_security_group(name=f"{tag}-web", description="web tier")
    db = net.create_security_group(name=f"{tag}-db", description="db tier", stateful=False)
    net.set_tags(web, ["tier-web", tag])
    for body in (
            dict(security_group_id=web.id, direction="ingress", ethertype="IPv4",
                 protocol="tcp", port_range_min=22, port_range_max=22,
                 remote_ip_prefix="10.0.0.0/8", description="ssh"),
            dict(security_group_id=web.id, direction="ingress", ethertype="IPv6",
                 protocol="tcp", port_range_min=443, port_range_max=443,
                 remote_ip_prefix="2001:db8::/32"),
            dict(security_group_id=web.id, direction="ingress", ethertype="IPv6",
                 protocol="ipv6-icmp"),
            dict(security_group_id=web.id, direction="ingress", ethertype="IPv4",
                 protocol="tcp", port_range_min=80, port_range_max=80,
                 remote_group_id=web.id, description="itself"),
            dict(security_group_id=web.id, direction="egress", ethertype="IPv4",
                 protocol="tcp", port_range_min=5432, port_range_max=5432,
                 remote_group_id=db.id),
            dict(security_group_id=web.id, direction="ingress", ethertype="IPv4",
                 protocol="udp", port_range_min=53, port_range_max=53,
                 remote_address_group_id=ag.id),
            dict(security_group_id=db.id, direction="ingress", ethertype="IPv4",
                 protocol="tcp", port_range_min=5432, port_range_max=5432,
                 remote_group_id=web.id)):
        net.create_security_group_rule(**body)
    return {"web": web, "db": db, "ag": ag, "names": {f"{tag}-web", f"{tag}-db"}}


def sync(user, source, targets, **selection):
    resp = user.call("POST", "/v1/security-groups/sync",
                     json={"source_region": source, "target_regions": targets, **selection})
    assert resp.status_code == 202, resp.text
    return wait_job(user, resp.json()["job"]["id"])


@pytest.fixture
def member(project, albatross):
    return project.api_member(albatross.url)


def test_group_with_cycles_and_address_group_arrives_equal_and_rerun_writes_nothing(
        member, project, regions):
    src, dst = regions[0], regions[1]
    made = build_source(member.conn(src), project.tag)
    job = sync(member, src, [dst], security_groups=[f"{project.tag}-web"])
    assert job["status"] == "SUCCESS", job
    [task] = job["tasks"]
    assert sorted(task["result"]["groups_created"]) == sorted(made["names"])
    source = canonical(member.conn(src), project.id, made["names"])
    assert canonical(member.conn(dst), project.id, made["names"]) == source
    copy = member.conn(dst).network.find_security_group(f"{project.tag}-web",
                                                         project_id=project.id)
    assert sorted(copy.tags) == sorted(["tier-web", project.tag])
    assert copy.description == "web tier"
    db_copy = member.conn(dst).network.find_security_group(f"{project.tag}-db",
                                                           project_id=project.id)
    assert db_copy.stateful is False
    [ag] = list(member.conn(dst).network.address_groups(project_id=project.id))
    assert sorted(ag.addresses) == ["10.1.0.0/24", "2001:db8::/64"]

    before = rule_ids(member.conn(dst), project.id)
    again = sync(member, src, [dst], security_groups=[f"{project.tag}-web"])
    assert again["status"] == "SUCCESS"
    result = again["tasks"][0]["result"]
    assert result["writes"] == 0 and result["written"] is False and result["drift"] == []
    assert rule_ids(member.conn(dst), project.id) == before


def test_default_group_is_merged_not_duplicated_and_renames_are_followed(
        member, project, regions):
    src, dst = regions[0], regions[1]
    net = member.conn(src).network
    default = net.find_security_group("default", project_id=project.id)
    net.create_security_group_rule(security_group_id=default.id, direction="ingress",
                                   ethertype="IPv4", protocol="tcp", port_range_min=8080,
                                   port_range_max=8080, remote_ip_prefix="192.0.2.0/24")
    app = net.create_security_group(name=f"{project.tag}-app")
    job = sync(member, src, [dst], security_groups=["default", app.id])
    assert job["status"] == "SUCCESS", job
    target = member.conn(dst).network
    defaults = [g for g in target.security_groups(project_id=project.id)
                if g.name == "default"]
    assert len(defaults) == 1
    assert ("ingress", "IPv4", "tcp", 8080, 8080, "192.0.2.0/24", None, None, "") in \
        canonical(member.conn(dst), project.id, {"default"})["default"]
    net.update_security_group(app, name=f"{project.tag}-app2")
    assert sync(member, src, [dst], security_groups=[app.id])["status"] == "SUCCESS"
    names = [g.name for g in target.security_groups(project_id=project.id)]
    assert f"{project.tag}-app2" in names and f"{project.tag}-app" not in names


def test_target_refusal_fails_that_region_only(member, project, regions, cloud):
    """RegionTwo refuses the rules (its quota is too small): the task fails with Neutron's
    own message; RegionThree completes."""
    src, refusing, fine = regions[0], regions[1], regions[2]
    made = build_source(member.conn(src), project.tag)
    cloud["conns"][refusing].network.update_quota(project.id, security_group_rules=3)
    job = sync(member, src, [refusing, fine], security_groups=[made["web"].name])
    by_region = {t["target_region"]: t for t in job["tasks"]}
    assert job["status"] == "FAILED"
    assert by_region[fine]["status"] == "SUCCESS"
    failed = by_region[refusing]
    assert failed["status"] == "FAILED" and failed["attempts"] == 1
    assert failed["error"].startswith(f"{refusing}: HTTP 409") and "uota" in failed["error"]


def test_member_cannot_sync_another_projects_groups(member, users, regions):
    resp = member.call("POST", "/v1/security-groups/sync", json={
        "source_region": regions[0], "target_regions": [regions[1]], "all": True,
        "project_id": users["demo"].project_id})
    assert resp.status_code == 403, resp.text
    resp = member.call("POST", "/v1/security-groups/sync", json={
        "source_region": regions[0], "target_regions": [regions[1]],
        "security_groups": ["no-such-group"]})
    assert resp.status_code == 404 and resp.json()["error"]["field"] == "security_groups"
