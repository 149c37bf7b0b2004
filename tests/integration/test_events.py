"""Events on the real dev cloud: notifications of every region arrive on RabbitMQ and are
searchable in one query, attributed to their region and project; the audit trail names who did
what; the live tail delivers new events; a project never sees another's."""
import io
import json
import threading
import time

import pytest
import requests

pytestmark = pytest.mark.devcloud


@pytest.fixture
def member(project, albatross):
    return project.api_member(albatross.url)


def wait_for(user, predicate, timeout=60, **params):
    deadline = time.monotonic() + timeout
    while True:
        resp = user.call("GET", "/v1/events", params={"limit": 500, **params})
        assert resp.status_code == 200, resp.text
        events = resp.json()["events"]
        if predicate(events) or time.monotonic() > deadline:
            return events
        time.sleep(1)


def test_image_in_one_region_and_port_in_another_show_in_one_query(member, project,
                                                                    regions, users):
    r1, r2 = regions[0], regions[1]
    image = member.conn(r2).image.create_image(
        name="evt-image", disk_format="raw", container_format="bare",
        data=io.BytesIO(b"e" * 1024), validate_checksum=False)
    net = member.conn(r1).network.create_network(name="evt-net")
    port = member.conn(r1).network.create_port(network_id=net.id)

    def both(events):
        seen = {(e["region"], e["event_type"], e["resource_id"]) for e in events}
        return (r2, "image.create", image.id) in seen and \
            (r1, "port.create.end", port.id) in seen

    events = wait_for(member, both)
    assert both(events), sorted({(e["region"], e["event_type"]) for e in events})
    mine = [e for e in events if e["resource_id"] in (image.id, port.id)]
    assert {e["project_id"] for e in mine} == {project.id}
    assert {e["service"] for e in mine} >= {"image", "network"}
    assert [e["time"] for e in events] == sorted((e["time"] for e in events), reverse=True)

    only_r2 = member.call("GET", "/v1/events", params={"region": r2, "q": "evt-image"})
    assert {e["region"] for e in only_r2.json()["events"]} == {r2}
    assert image.id in {e["resource_id"] for e in only_r2.json()["events"]}

    alt = users["alt"].call("GET", "/v1/events", params={"limit": 1000}).json()["events"]
    assert not {image.id, port.id} & {e["resource_id"] for e in alt}
    assert users["alt"].call("GET", "/v1/events",
                             params={"all_projects": "true"}).status_code == 403
    every = users["admin"].call("GET", "/v1/events", params={
        "all_projects": "true", "project_id": project.id, "limit": 500}).json()["events"]
    assert {image.id, port.id} <= {e["resource_id"] for e in every}


def test_the_audit_trail_names_who_synced_what(member, project, regions):
    src, dst = regions[0], regions[1]
    name = f"audit-{project.tag}"
    member.conn(src).network.create_security_group(name=name)
    resp = member.call("POST", "/v1/security-groups/sync", json={
        "source_region": src, "target_regions": [dst], "security_groups": [name]})
    job_id = resp.json()["job"]["id"]
    events = wait_for(member, lambda es: any(e["resource_id"] == job_id for e in es),
                      source="audit", service="albatross")
    [audit] = [e for e in events if e["resource_id"] == job_id]
    assert audit["source"] == "audit" and audit["event_type"] == "albatross.security_group_sync"
    assert audit["user_id"] == member.session.get_user_id()
    assert audit["payload"]["params"]["target_regions"] == [dst]


def test_live_tail_delivers_a_new_event(member, regions):
    received = []
    ready = threading.Event()

    def listen():
        with requests.get(member.base_url + "/v1/events/stream",
                          headers={"X-Auth-Token": member.token},
                          params={"region": regions[0]}, stream=True, timeout=90) as resp:
            assert resp.headers["Content-Type"].startswith("text/event-stream")
            for line in resp.iter_lines(decode_unicode=True):
                ready.set()
                if line.startswith("data: "):
                    received.append(json.loads(line[6:]))
                    if any(e["event_type"] == "network.create.end" for e in received):
                        return

    thread = threading.Thread(target=listen, daemon=True)
    thread.start()
    assert ready.wait(30)
    net = member.conn(regions[0]).network.create_network(name="evt-tail")
    thread.join(60)
    assert net.id in {e["resource_id"] for e in received}


def test_bad_queries_name_the_field(member):
    for params, field in (({"start": "yesterday"}, "start"), ({"cursor": "nope"}, "cursor"),
                          ({"q": "!!!"}, "q"), ({"limit": 0}, "limit")):
        resp = member.call("GET", "/v1/events", params=params)
        assert resp.status_code == 400 and resp.json()["error"]["field"] == field, resp.text


def test_a_region_whose_bus_is_down_is_shown_down_in_the_summary(devcloud, users, regions,
                                                                 tmp_path):
    """RegionTwo's notifications are configured on a port nothing listens on: the indicators
    summary shows RegionTwo down because of its bus, RegionOne (a live bus) up."""
    from tests.integration.server import start_albatross
    live = devcloud["notifications"][regions[0]]
    server = start_albatross(
        devcloud, tmp_path, name="bus",
        extra={"indicators": {"collect_interval": 2},
               "events": {"notification_urls": f"{regions[0]}={live['url']},"
                                                f"{regions[1]}=rabbit://guest:guest@127.0.0.1:1/",
                          "notification_topics": f"{regions[0]}:{live['topic']}",
                          "notification_pool": "albatross-bus-test"}})
    try:
        admin = users["admin"]
        deadline = time.monotonic() + 90
        while True:
            resp = requests.get(server.url + "/v1/indicators/summary",
                                headers={"X-Auth-Token": admin.token}, timeout=30)
            by_region = {r["region"]: r for r in resp.json().get("regions", [])}
            if regions[1] in by_region and regions[0] in by_region:
                break
            assert time.monotonic() < deadline, resp.text
            time.sleep(1)
        down = by_region[regions[1]]
        assert down["status"] == "down" and "message bus unreachable" in down["reason"]
        assert "bus" not in (by_region[regions[0]]["reason"] or "")
    finally:
        server.stop()
        import kombu
        with kombu.Connection(live["url"].replace("rabbit://", "amqp://", 1)) as conn:
            conn.default_channel.queue_delete(f"albatross-bus-test-{regions[0]}")
