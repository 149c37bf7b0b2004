"""Logging in, the overview, tenant scoping, CSRF, keyboard and phone width, in Chromium."""
import re

from playwright.sync_api import expect

from tests.integration.browser.conftest import shot
from tests.integration.test_indicators import boot_server


def test_admin_overview_shows_every_region_with_capacity(ui, regions, project):
    vcpus = boot_server(project, regions[0])      # RegionOne runs full Nova (fake compute)
    page = ui.login("admin")
    for region in regions:
        expect(page.locator(f"#regions-table tr[data-region='{region}']")).to_be_visible()
    # Placement's numbers come with the next indicator round (every 60 s): the overview
    # refreshes by itself until the server's vCPUs are counted as used
    vcpu = page.locator("#regions-table tr[data-region='RegionOne'] td.num").first
    expect(vcpu).to_have_text(re.compile(r"[1-9][\d,]* / [\d,]+ \((<1|\d+)%\)"),
                              timeout=150_000)
    assert int(vcpu.inner_text().split(" / ")[0].replace(",", "")) >= vcpus
    expect(page.locator("#total-VCPU")).to_have_text(re.compile(r"/ [1-9][\d,]*"))
    expect(page.locator("figure.chart")).to_have_count(6)
    expect(page.get_by_role("link", name="Logs")).to_be_visible()
    shot(page, "overview-admin")


def test_member_overview_and_no_admin_pages(ui, regions):
    page = ui.login("demo")
    for region in regions:
        expect(page.locator(f"#regions-table tr[data-region='{region}']")).to_be_visible()
    expect(page.locator(".who .user")).to_contain_text("demo")
    expect(page.get_by_role("link", name="Logs")).to_have_count(0)
    assert "token" not in page.url
    shot(page, "overview-member")
    response = page.goto(ui.url("/ui/logs"))
    assert response.status == 403
    expect(page.locator("h1")).to_contain_text("403")


def test_member_cannot_see_another_projects_job(ui, users, regions):
    alt = users["alt"]
    name, _key = alt.new_keypair(regions[0], prefix="ui-alt")
    job = alt.call("POST", "/v1/keypairs/sync",
                   json={"keypairs": [name], "source_region": regions[0],
                         "target_regions": [regions[1]]}).json()["job"]
    page = ui.login("demo")
    page.goto(ui.url("/ui/jobs"))
    expect(page.locator("#jobs-table")).to_be_visible()
    expect(page.locator(f"#jobs-table a[href='/ui/jobs/{job['id']}']")).to_have_count(0)
    response = page.goto(ui.url(f"/ui/jobs/{job['id']}"))
    assert response.status == 404
    # alt itself sees it
    alt_page = ui.login("alt")
    alt_page.goto(ui.url("/ui/jobs"))
    expect(alt_page.locator(f"#jobs-table a[href='/ui/jobs/{job['id']}']")).to_have_count(1)


def test_a_form_posted_without_its_csrf_token_is_refused(ui):
    page = ui.login("demo")
    form = page.locator("form[action='/ui/logout']")
    form.locator("input[name=csrf_token]").evaluate("input => input.remove()")
    with page.expect_navigation():
        form.get_by_role("button", name="Log out").click()
    expect(page.locator("h1")).to_contain_text("403")
    expect(page.locator("#error-message")).to_contain_text("CSRF")
    shot(page, "csrf-refused")
    # the session was not ended by the refused form
    page.goto(ui.url("/ui/jobs"))
    expect(page.locator("h1")).to_have_text("Jobs")


def test_logout_ends_the_session(ui):
    page = ui.login("demo")
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url(re.compile(r".*/ui/login"))
    page.goto(ui.url("/ui/jobs"))
    assert "/ui/login" in page.url


def test_wrong_password_is_a_clear_error(ui):
    page = ui.new_page()
    page.goto(ui.url("/ui/login"))
    page.get_by_label("User name").fill("demo")
    page.get_by_label("Password", exact=True).fill("not-the-password")
    page.get_by_role("button", name="Log in").click()
    expect(page.locator("#login-error")).to_contain_text("not accepted")
    shot(page, "login")


def test_keyboard_sorting_and_phone_width(ui):
    page = ui.login("demo", width=390, height=844)
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1, f"the overview is {overflow}px wider than a phone screen"
    shot(page, "overview-phone")
    page.keyboard.press("Tab")
    expect(page.locator(".skip")).to_be_focused()
    header = page.locator("#regions-table thead th").first
    header.locator("button.sort").focus()
    page.keyboard.press("Enter")
    expect(header).to_have_attribute("aria-sort", "ascending")
    page.keyboard.press("Enter")
    expect(header).to_have_attribute("aria-sort", "descending")
    names = page.locator("#regions-table tbody tr td:first-child").all_inner_texts()
    assert names == sorted(names, reverse=True)
