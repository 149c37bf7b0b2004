"""Logging in with a token, switching between the user's projects, and scoping after a switch."""
from playwright.sync_api import expect

from tests.integration.projects import Project


def test_login_with_an_existing_token(ui, users):
    page = ui.new_page()
    page.goto(ui.url("/ui/login"))
    page.locator("details summary").click()
    page.get_by_label("Keystone token").fill(users["demo"].token)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(ui.url("/ui/"))
    expect(page.locator(".who .user")).to_contain_text("demo")
    assert users["demo"].token not in page.url
    assert users["demo"].token not in page.content()


def test_project_switcher_lists_the_users_projects_and_rescopes(ui, cloud, project):
    second = Project(cloud)
    project.cleanups.append(second.destroy)
    user_id, _connect = project.member()
    cloud["identity"].assign_project_role_to_user(second.id, user_id, cloud["member_role"])
    username = f"{project.tag}-0"
    page = ui.login(username, cloud["password"], project=project.tag)
    switch = page.locator("#project-switch")
    expect(switch.locator("option")).to_have_count(2)
    expect(page.locator("h1")).to_contain_text(project.tag)
    switch.select_option(label=second.tag)   # submits by itself (no reload button needed)
    page.wait_for_load_state()
    expect(page.locator("h1")).to_contain_text(second.tag)
    expect(page.locator(".flash")).to_contain_text(second.tag)
    # the API now sees the other project: its jobs page answers for `second`
    page.goto(ui.url("/ui/jobs"))
    expect(page.locator("#jobs-table")).to_contain_text("No jobs")
