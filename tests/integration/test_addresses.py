"""The global address view on the real dev cloud: conflicts created through Neutron are
reported with both sides named (ids, and Neutron's names of the subnets, ports and networks),
`find` locates fixed and floating IPs, allocation from the plan is atomic across concurrent
requests, IPv6 included, and projects stay apart."""
import threading
import uuid

import pytest

pytestmark = pytest.mark.devcloud


@pytest.fixture
def member(project, albatross):
    return project.api_member(albatross.url)


def net_in(user, region, name="net"):
    return user.conn(region).network.create_network(name=name)


def get(user, project_id, path, **params):
    resp = user.call("GET", f"/v1/projects/{project_id}/addresses{path}",
                     params={"max_age": 0, **params})
    assert resp.status_code == 200, resp.text
    return resp.json()


def test_same_cidr_and_duplicate_ip_and_mac_in_two_regions_are_conflicts(member, project,
                                                                          regions):
    r1, r2 = regions[0], regions[1]
    sides = {}
    for region in (r1, r2):
        net = net_in(member, region, f"app-net-{region}")
        subnet = member.conn(region).network.create_subnet(
            network_id=net.id, cidr="10.50.0.0/24", ip_version=4, name=f"app-v4-{region}")
        v6 = member.conn(region).network.create_subnet(
            network_id=net.id, cidr="fd00:50::/64", ip_version=6, name=f"app-v6-{region}")
        port = member.conn(region).network.create_port(
            network_id=net.id, mac_address="fa:16:3e:aa:bb:01", name=f"web-{region}",
            fixed_ips=[{"subnet_id": subnet.id, "ip_address": "10.50.0.10"},
                       {"subnet_id": v6.id, "ip_address": "fd00:50::10"}],
            device_owner="compute:nova", device_id=str(uuid.uuid4()))
        sides[region] = (net, subnet, v6, port)
    found = get(member, project.id, "/conflicts")["conflicts"]
    by_kind = {}
    for c in found:
        by_kind.setdefault(c["kind"], []).append(c)
    overlaps = {c["key"]: c for c in by_kind["subnet-overlap"]}
    for cidr, idx in (("10.50.0.0/24", 1), ("fd00:50::/64", 2)):
        c = overlaps[cidr]
        assert {c["side_a"]["region"], c["side_b"]["region"]} == {r1, r2}
        assert {c["side_a"]["subnet_id"], c["side_b"]["subnet_id"]} == \
            {sides[r1][idx].id, sides[r2][idx].id}
        for side in (c["side_a"], c["side_b"]):   # named: the subnet and its network
            net, subnet = sides[side["region"]][0], sides[side["region"]][idx]
            assert (side["network_id"], side["network_name"]) == (net.id, net.name)
            assert (side["subnet_id"], side["subnet_name"]) == (subnet.id, subnet.name)
        assert {c["side_a"]["subnet_name"], c["side_b"]["subnet_name"]} == \
            {sides[r1][idx].name, sides[r2][idx].name} != {""}
    fixed = {c["key"]: c for c in by_kind["fixed-ip"]}
    assert {"10.50.0.10", "fd00:50::10"} <= set(fixed)
    assert {fixed["10.50.0.10"]["side_a"]["port_id"], fixed["10.50.0.10"]["side_b"]["port_id"]} \
        == {sides[r1][3].id, sides[r2][3].id}
    for side in (fixed["10.50.0.10"]["side_a"], fixed["10.50.0.10"]["side_b"]):
        region = side["region"]
        assert (side["port_name"], side["network_name"], side["subnet_name"]) == \
            (f"web-{region}", f"app-net-{region}", f"app-v4-{region}")
    [mac] = by_kind["mac"]
    assert mac["key"] == "fa:16:3e:aa:bb:01"
    assert {mac["side_a"]["region"], mac["side_b"]["region"]} == {r1, r2}
    assert {mac["side_a"]["port_name"], mac["side_b"]["port_name"]} == {f"web-{r1}", f"web-{r2}"}

    hits = get(member, project.id, "/find", ip="10.50.0.10")["addresses"]
    ports = {(h["region"], h["object_id"]) for h in hits if h["kind"] == "fixed_ip"}
    assert ports == {(r1, sides[r1][3].id), (r2, sides[r2][3].id)}
    assert {h["device_id"] for h in hits if h["kind"] == "fixed_ip"} == \
        {sides[r1][3].device_id, sides[r2][3].device_id}
    assert {(h["kind"], h["name"], h["network_name"]) for h in hits} == {
        ("fixed_ip", f"web-{r1}", f"app-net-{r1}"), ("fixed_ip", f"web-{r2}", f"app-net-{r2}"),
        ("subnet", f"app-v4-{r1}", f"app-net-{r1}"), ("subnet", f"app-v4-{r2}", f"app-net-{r2}")}
    by_mac = get(member, project.id, "/find", mac="FA:16:3E:AA:BB:01")["addresses"]
    assert {h["region"] for h in by_mac} == {r1, r2}
    only_v6 = get(member, project.id, "", ip_version=6, kind="fixed_ip",
                  region=r1)["addresses"]
    assert [h["address"] for h in only_v6] == ["fd00:50::10"]
    csv = member.call("GET", f"/v1/projects/{project.id}/addresses",
                      params={"format": "csv", "max_age": 3600})
    assert csv.headers["Content-Type"].startswith("text/csv")
    assert csv.text.splitlines()[0].startswith("kind,region,network_id,object_id,address")
    assert csv.text.splitlines()[0].endswith(",seen_at,name,network_name")
    assert "10.50.0.10" in csv.text and f",web-{r1},app-net-{r1}" in csv.text
    usage = get(member, project.id, "/summary")["subnets"]
    v4 = [u for u in usage if u["cidr"] == "10.50.0.0/24"]
    assert len(v4) == 2 and all(u["used"] >= 1 for u in v4)


def test_find_locates_a_floating_ip(member, project, regions, cloud):
    region = regions[0]
    admin = cloud["conns"][region].network
    ext = admin.create_network(name=f"ext-{project.tag}", is_router_external=True)
    try:
        admin.create_subnet(network_id=ext.id, cidr="203.0.113.0/24", ip_version=4)
        fip = member.conn(region).network.create_ip(floating_network_id=ext.id,
                                                     description="bastion")
        hits = get(member, project.id, "/find", ip=fip.floating_ip_address)["addresses"]
        assert [(h["kind"], h["region"], h["object_id"], h["name"]) for h in hits] == \
            [("floating_ip", region, fip.id, "bastion")]
        member.conn(region).network.delete_ip(fip)
    finally:
        for f in list(admin.ips(floating_network_id=ext.id)):
            admin.delete_ip(f)
        admin.delete_network(ext)


def test_concurrent_allocations_get_different_cidrs_that_neutron_accepts(member, project,
                                                                         regions):
    r1, r2 = regions[0], regions[1]
    resp = member.call("PUT", f"/v1/projects/{project.id}/address-plan",
                       json={"supernets": ["10.60.0.0/22", "fd00:60::/56"]})
    assert resp.status_code == 200, resp.text
    nets = {r: net_in(member, r, "alloc") for r in (r1, r2)}
    answers = []

    def allocate(region, version, prefix):
        answers.append(member.call("POST", f"/v1/projects/{project.id}/subnets", json={
            "region": region, "network_id": nets[region].id, "prefix_length": prefix,
            "ip_version": version}))

    threads = [threading.Thread(target=allocate, args=(r, 4, 24)) for r in (r1, r2, r1)] + \
        [threading.Thread(target=allocate, args=(r, 6, 64)) for r in (r1, r2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert [a.status_code for a in answers] == [201] * 5, [a.text for a in answers]
    cidrs = [a.json()["cidr"] for a in answers]
    assert len(set(cidrs)) == 5
    import ipaddress
    blocks = [ipaddress.ip_network(c) for c in cidrs]
    for i, a in enumerate(blocks):
        for b in blocks[i + 1:]:
            assert a.version != b.version or not a.overlaps(b), (a, b)
    for a in answers:
        body = a.json()
        subnet = member.conn(body["region"]).network.get_subnet(body["subnet_id"])
        assert subnet.cidr == body["cidr"]
    assert get(member, project.id, "/conflicts")["conflicts"] == []
    full = member.call("POST", f"/v1/projects/{project.id}/subnets", json={
        "region": r2, "network_id": nets[r2].id, "prefix_length": 22, "ip_version": 4})
    assert full.status_code == 409 and full.json()["error"]["field"] == "prefix_length"


def test_projects_see_only_their_own_addresses(member, project, users):
    alt = users["alt"]
    for path in ("", "/find?ip=10.0.0.1", "/conflicts", "/summary"):
        assert alt.call("GET", f"/v1/projects/{project.id}/addresses{path}").status_code \
            == 403
    assert alt.call("PUT", f"/v1/projects/{project.id}/address-plan",
                    json={"supernets": ["10.0.0.0/8"]}).status_code == 403
    assert member.call("GET", "/v1/addresses/external").status_code == 403
    assert users["admin"].call("GET", "/v1/addresses/external").status_code == 200


def test_incremental_reads_see_new_ports_and_full_reads_see_deletions(member, project,
                                                                      regions):
    region = regions[0]
    net = net_in(member, region, "inc")
    subnet = member.conn(region).network.create_subnet(network_id=net.id,
                                                       cidr="10.80.0.0/24", ip_version=4)
    assert member.call("POST", f"/v1/projects/{project.id}/addresses/refresh").json()[
        "regions"][region] == "ok"
    port = member.conn(region).network.create_port(
        network_id=net.id, fixed_ips=[{"subnet_id": subnet.id, "ip_address": "10.80.0.77"}])
    hits = get(member, project.id, "/find", ip="10.80.0.77")["addresses"]  # incremental
    assert [h["object_id"] for h in hits if h["kind"] == "fixed_ip"] == [port.id]
    member.conn(region).network.delete_port(port)
    member.call("POST", f"/v1/projects/{project.id}/addresses/refresh")  # full
    hits = get(member, project.id, "/find", ip="10.80.0.77", max_age=3600)["addresses"]
    assert [h for h in hits if h["kind"] == "fixed_ip"] == []
