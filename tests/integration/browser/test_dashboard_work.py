"""Work done through the dashboard on the real dev cloud, by a member of a throwaway project:
a keypair sync watched to SUCCESS without reloading, names shown as text, an image rollout
approved and rolled back, a CIDR conflict made in Neutron, an event from RegionTwo arriving
in the live tail."""
import re
import uuid

import pytest
from playwright.sync_api import expect

from tests.integration.browser.conftest import (assert_not_reloaded, check_page,
                                                mark_no_reload, shot)
from tests.integration.conftest import public_key
from tests.integration.test_image_sync import image_bytes, upload

pytestmark = pytest.mark.devcloud
XSS = "<script>alert(1)</script>"


@pytest.fixture
def member(project, albatross, cloud):
    """(API user, browser login name) of a new member of a throwaway project."""
    user = project.api_member(albatross.url)
    return user, f"{project.tag}-{len(project.user_ids) - 1}"


def sync_form(page, names: str, source: str, targets: list[str]):
    form = page.locator("#sync-form")
    form.locator("textarea[name=names]").fill(names)
    form.locator("select[name=source]").select_option(source)
    for region in targets:
        form.locator(f"input[name=target][value='{region}']").check()
    form.get_by_role("button", name="Start the sync").click()
    page.wait_for_url(re.compile(r".*/ui/jobs/[0-9a-f-]{36}$"))


def test_keypair_sync_reaches_success_without_reloading(ui, member, regions, cloud):
    user, login = member
    page = ui.login(login, cloud["password"])
    for _attempt in range(3):   # the job page must open before the job ends, to watch it
        name = f"ui-kp-{uuid.uuid4().hex[:8]}"
        user.conn(regions[0]).compute.create_keypair(name=name, public_key=public_key())
        page.get_by_role("link", name="Keypairs").click()
        sync_form(page, name, regions[0], regions[1:])
        mark_no_reload(page)
        first = page.locator("#job-status").get_attribute("data-status")
        if first not in ("SUCCESS", "FAILED"):
            break
    assert first in ("QUEUED", "RUNNING"), first
    expect(page.locator("#job-status")).to_have_attribute("data-status", "SUCCESS",
                                                          timeout=120_000)
    assert_not_reloaded(page)
    expect(page.locator("#job-live")).to_have_attribute("data-updated", re.compile("."))
    expect(page.locator("#job-live")).to_have_attribute("data-final", "")
    expect(page.locator("#tasks-table tbody tr")).to_have_count(len(regions) - 1)
    for region in regions[1:]:
        expect(page.locator(f"#tasks-table tr[data-region='{region}']")).to_contain_text(
            "SUCCESS")
        assert user.conn(region).compute.find_keypair(name) is not None
    check_page(page)
    shot(page, "job-keypair-sync")


def test_names_users_chose_are_shown_as_text(ui, member, regions, cloud):
    user, login = member
    group = user.conn(regions[0]).network.create_security_group(name=XSS,
                                                                description=XSS)
    page = ui.login(login, cloud["password"])
    page.goto(ui.url("/ui/secgroups"))
    sync_form(page, group.id, regions[0], [regions[1]])
    expect(page.locator("#job-status")).to_have_attribute("data-status", "SUCCESS",
                                                          timeout=120_000)
    expect(page.locator("#tasks-table")).to_contain_text(XSS)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.content()
    assert page.locator("#tasks-table script").count() == 0
    shot(page, "escaped-name")
    # the ui fixture fails the test if an alert() ran


def test_rollout_approve_next_wave_and_roll_back(ui, member, regions, cloud):
    user, login = member
    src, canary, second = regions[0], regions[1], regions[2]
    image = upload(user.conn(src), "ui-app", image_bytes(1, "ui-app-v1"))
    page = ui.login(login, cloud["password"])
    page.goto(ui.url(f"/ui/images?source={src}"))
    row = page.locator(f"#images-table tr[data-image='{image.id}']")
    expect(row).to_be_visible()
    shot(page, "images")
    form = page.locator("#rollout-form")
    form.locator("select[name=image_id]").select_option(image.id)
    form.locator(f"input[name=wave1][value='{canary}']").check()
    form.locator(f"input[name=wave2][value='{second}']").check()
    form.get_by_role("button", name="Start rollout").click()
    page.wait_for_url(re.compile(r".*/ui/rollouts/[0-9a-f-]{36}$"))
    mark_no_reload(page)
    state = page.locator("#rollout-state")
    expect(state).to_have_attribute("data-state", "waiting_approval", timeout=180_000)
    assert_not_reloaded(page)
    page.get_by_role("button", name="Approve next wave").click()
    expect(page.locator(".flash")).to_be_visible()
    expect(state).to_have_attribute("data-state", "completed", timeout=180_000)
    assert user.conn(second).image.find_image(image.id) is not None
    shot(page, "rollout-completed")
    page.get_by_role("button", name="Roll back").click()    # confirm() answered yes
    expect(state).to_have_attribute("data-state", "rolled_back", timeout=180_000)
    expect(page.locator("#rollout-live")).to_have_attribute("data-final", "",
                                                            timeout=180_000)
    for region in (canary, second):
        assert user.conn(region).image.find_image(image.id) is None
    check_page(page)
    shot(page, "rollout-rolled-back")


def test_cidr_conflict_created_through_neutron_is_shown(ui, member, regions, cloud):
    user, login = member
    cidr = f"10.{uuid.uuid4().int % 200 + 20}.7.0/24"
    for region in regions[:2]:
        net = user.conn(region).network.create_network(name=f"ui-net-{region}")
        user.conn(region).network.create_subnet(network_id=net.id, ip_version=4, cidr=cidr,
                                                name=f"ui-sub-{region}")
    page = ui.login(login, cloud["password"])
    page.goto(ui.url("/ui/addresses"))
    conflict = page.locator(f"#conflicts-table tr[data-kind='subnet-overlap'][data-key='{cidr}']")
    expect(conflict).to_have_count(1)
    sides = {conflict.locator("td.side-a").get_attribute("data-region"),
             conflict.locator("td.side-b").get_attribute("data-region")}
    assert sides == set(regions[:2])
    for cell in ("td.side-a", "td.side-b"):   # Neutron's names first, the ids after them
        region = conflict.locator(cell).get_attribute("data-region")
        expect(conflict.locator(cell)).to_contain_text(
            re.compile(f"network ui-net-{region} [0-9a-f-]{{36}}.*subnet ui-sub-{region} "
                       "[0-9a-f-]{36}", re.S))
    shot(page, "addresses-conflict")
    page.goto(ui.url("/ui/"))
    expect(page.locator("section[aria-labelledby=problems-h]")).to_contain_text(cidr)


def test_event_from_region_two_appears_in_the_live_tail(ui, member, regions, cloud):
    user, login = member
    page = ui.login(login, cloud["password"])
    page.goto(ui.url("/ui/events"))
    expect(page.locator("#events-live")).to_be_visible()
    mark_no_reload(page)
    name = f"ui-tail-{uuid.uuid4().hex[:8]}"
    user.conn("RegionTwo").network.create_network(name=name)
    row = page.locator("#events-tail tr[data-region='RegionTwo']").first
    expect(row).to_be_visible(timeout=90_000)
    assert_not_reloaded(page)
    shot(page, "events-live-tail")
