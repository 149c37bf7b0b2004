"""Every page of the dashboard opens without an error for an admin and for a member, in a
laptop-sized window, and is saved to docs/screenshots/ for the README."""
import pytest
from playwright.sync_api import expect

from tests.integration.browser.conftest import check_page, shot

pytestmark = pytest.mark.devcloud
PAGES = [("/ui/", "overview"), ("/ui/quotas", "quotas"), ("/ui/jobs", "jobs"),
         ("/ui/keypairs", "keypairs"), ("/ui/secgroups", "secgroups"),
         ("/ui/images?source=RegionOne", "images"), ("/ui/rollouts", "rollouts"),
         ("/ui/addresses", "addresses"), ("/ui/events", "events")]
ADMIN_PAGES = [("/ui/logs", "logs"), ("/ui/addresses/external", "addresses-external"),
               ("/ui/quotas/class?name=default", "quota-class")]


@pytest.mark.parametrize("who", ["admin", "demo"])
def test_every_page_opens(ui, who):
    page = ui.login(who, width=1366, height=860)
    pages = PAGES + (ADMIN_PAGES if who == "admin" else [])
    for path, name in pages:
        response = page.goto(ui.url(path))
        assert response.status == 200, (path, response.status)
        expect(page.locator("main h1")).to_be_visible()
        check_page(page, path)
        shot(page, f"{'admin' if who == 'admin' else 'member'}-{name}")


def test_every_page_fits_a_phone_screen(ui):
    page = ui.login("demo", width=390, height=844)
    for path, name in PAGES:
        page.goto(ui.url(path))
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 1, f"{path} is {overflow}px wider than a phone screen"
    shot(page, "member-events-phone")
