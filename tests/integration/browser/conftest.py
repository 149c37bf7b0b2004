"""The dashboard in a real headless Chromium (Debian's, driven by Playwright) against the real
dev cloud and the run's `albatross serve`. Every page a test looks at can be saved to
docs/screenshots/ (`shot`), which the README shows."""
import os
import pathlib
import shutil

import pytest
from playwright.sync_api import sync_playwright

SCREENSHOTS = pathlib.Path(__file__).resolve().parents[3] / "docs" / "screenshots"
PASSWORD = "secret"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--disable-dev-shm-usage"]


def chromium_path() -> str:
    path = os.environ.get("ALBATROSS_TEST_CHROMIUM") or shutil.which("chromium")
    assert path, "Chromium is not installed: scripts/test installs it (apt install chromium)"
    return path


@pytest.fixture(scope="session")
def browser():
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class Dashboard:
    """Opens logged-in pages; collects page errors (a script error fails the test)."""

    def __init__(self, browser, base_url: str):
        self.browser, self.base_url = browser, base_url
        self.contexts, self.errors = [], []

    def url(self, path: str) -> str:
        return self.base_url + path

    def new_page(self, width: int = 1366, height: int = 900):
        context = self.browser.new_context(viewport={"width": width, "height": height})
        self.contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        page.on("dialog", self._dialog)
        page.set_default_timeout(30_000)
        return page

    def _dialog(self, dialog):
        """A destructive button's confirm() is answered yes; any other dialog (an alert()
        from injected script) fails the test."""
        if dialog.type == "confirm":
            dialog.accept()
        else:
            self.errors.append(f"{dialog.type}: {dialog.message}")
            dialog.dismiss()

    def login(self, username: str, password: str = PASSWORD, project: str = "",
              **viewport):
        page = self.new_page(**viewport)
        page.goto(self.url("/ui/"))
        assert "/ui/login" in page.url
        page.get_by_label("User name").fill(username)
        page.get_by_label("Password", exact=True).fill(password)
        if project:
            page.get_by_label("Project", exact=False).first.fill(project)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url(self.url("/ui/"))
        return page

    def close(self):
        for context in self.contexts:
            context.close()


@pytest.fixture
def ui(browser, albatross):
    dash = Dashboard(browser, albatross.url)
    yield dash
    dash.close()
    assert not dash.errors, dash.errors


def shot(page, name: str) -> pathlib.Path:
    """Saves the whole page as docs/screenshots/NAME.png."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def mark_no_reload(page) -> None:
    """Marks the loaded document; `assert_not_reloaded` fails if it was replaced since."""
    page.evaluate("window.__albatrossMark = 'kept'")


def assert_not_reloaded(page) -> None:
    assert page.evaluate("window.__albatrossMark") == "kept", "the page was reloaded"


def check_page(page, where: str = "") -> None:
    """Every table sorts and has a filter box; every form control has a label."""
    bare = page.evaluate("""() => [...document.querySelectorAll('main table')].filter(t =>
        !t.classList.contains('sortable') || !t.id ||
        !document.querySelector(`input[data-filter="${t.id}"]`)).map(t => t.id || '?')""")
    assert not bare, (where or page.url, "tables without sorting or filter", bare)
    unlabelled = page.evaluate("""() => [...document.querySelectorAll(
        'input:not([type=hidden]), select, textarea')].filter(e =>
        !e.labels.length && !e.getAttribute('aria-label')).map(e => e.name)""")
    assert not unlabelled, (where or page.url, "controls without a label", unlabelled)
