"""The images and rollouts pages without a server: the mode form's body, ensure's answers (200
flashed, 202 to the job page, a failed copy flashed), which rollout buttons show and when the
live part stops, and that names from Glance stay text."""
from types import SimpleNamespace
from urllib.parse import unquote, urlencode

import webob

from albatross.ui import render
from albatross.ui.app import FLASH_COOKIE, Page
from albatross.ui.backend import ApiError
from albatross.ui.pages import images

XSS = "<script>alert(1)</script>"
SESSION = SimpleNamespace(csrf="t0k", project_id="p1", project_name="demo", is_admin=False,
                          projects=[], user_name="demo", roles=[])


class Api:
    def __init__(self, answer=None, error=None):
        self.answer, self.error, self.calls = answer, error, []

    def post(self, path, body=None):
        self.calls.append(("POST", path, body))
        if self.error:
            raise self.error
        return self.answer

    put = post


def page(form: dict, api=None, params=None) -> Page:
    req = webob.Request.blank("/ui/images", method="POST",
                              body=urlencode(form, doseq=True).encode(),
                              content_type="application/x-www-form-urlencoded")
    ui = SimpleNamespace(env=render.make_env())
    return Page(req, ui, params or {}, session=SESSION, api=api)


def flash_of(p: Page) -> str:
    return unquote(next(v for n, v, _ in p.cookies if n == FLASH_COOKIE))


def test_mode_form_sends_only_what_the_mode_uses():
    form = {"mode": "none", "source_region": "R1", "target": ["R2"], "propagate_deletes": "1"}
    assert images.setting_body(page(form)) == {"mode": "none"}
    assert images.setting_body(page({**form, "mode": "lazy"})) == {
        "mode": "lazy", "source_region": "R1"}
    assert images.setting_body(page({**form, "mode": "auto"})) == {
        "mode": "auto", "source_region": "R1", "target_regions": ["R2"],
        "propagate_deletes": True}
    assert images.setting_body(page({**form, "mode": "auto", "all_regions": "1"}))[
        "target_regions"] == "all"


def test_ensure_active_is_flashed_and_still_copying_goes_to_the_job():
    form = {"image_id": "i1", "region": "R2", "source": "R1"}
    api = Api({"image": {"id": "i1", "region": "R2", "status": "active", "copied": True}})
    resp = images.ensure_image(p := page(form, api))
    assert resp.status_int == 303 and resp.location.endswith("/ui/images?source=R1")
    assert "ACTIVE in R2" in flash_of(p)
    assert api.calls == [("POST", "/v1/images/i1/ensure", {"region": "R2"})]
    api = Api({"job_id": "j1", "image": {"id": None, "region": "R2", "status": "running"}})
    assert images.ensure_image(page(form, api)).location.endswith("/ui/jobs/j1")
    api = Api(error=ApiError(503, "copy of image i1 to R2 failed: boom", "region"))
    resp = images.ensure_image(p := page(form, api))
    assert resp.location.endswith("/ui/images?source=R1")
    assert flash_of(p).startswith("error:copy of image i1 to R2 failed")


def _rollout(state, wave_job="SUCCESS", rollback_job=None):
    return {"id": "r" * 36, "image_id": "i" * 36, "image_name": XSS, "source_region": "R1",
            "state": state, "current_wave": 0, "auto_approve": False,
            "waves": [{"index": 0, "regions": ["R2"], "job_id": "j" * 36,
                       "job_status": wave_job, "verified": True, "copies": {"R2": "c" * 36}}],
            "rollback_job_id": None, "rollback_job_status": rollback_job,
            "created_at": None, "updated_at": None, "history": []}


def test_buttons_follow_the_state_and_final_states_stop_refreshing():
    assert images.allowed_actions(_rollout("waiting_approval")) == [
        "approve", "pause", "abort", "rollback"]
    assert images.allowed_actions(_rollout("paused")) == ["resume", "abort", "rollback"]
    assert images.allowed_actions(_rollout("rolling_back", rollback_job="RUNNING")) == []
    assert images.allowed_actions(_rollout("rolling_back", rollback_job="FAILED")) == [
        "rollback"]
    assert images.allowed_actions(_rollout("rolled_back")) == []
    assert not images.is_final(_rollout("running", wave_job="RUNNING"))
    assert not images.is_final(_rollout("aborted", wave_job="RUNNING"))  # a copy still runs
    assert images.is_final(_rollout("aborted")) and images.is_final(_rollout("rolled_back"))


def test_rollout_partial_escapes_names_and_marks_destructive_buttons():
    rollout = _rollout("waiting_approval")
    html = page({}).ui.env.get_template("_rollout_live.html").render(
        session=SESSION, rollout=rollout, final=False, refresh_ms=1000,
        actions=images.allowed_actions(rollout))
    assert XSS not in html and "&lt;script&gt;" in html
    assert 'id="rollout-approve"' in html and ">Approve next wave<" in html
    assert 'id="rollout-rollback"' in html and "data-confirm=" in html.split(
        'id="rollout-rollback"')[1].split(">")[0]
    assert "data-final" not in html.split(">")[0]


def test_matrix_partial_shows_every_cell_and_keeps_names_text():
    matrix = {"source_region": "R1", "regions": ["R1", "R2", "R3"], "unreachable": [],
              "next_marker": None, "images": [{
                  "id": "i" * 36, "name": XSS, "status": "active", "size": 1024,
                  "visibility": "private", "owner": "p1", "hidden": False, "mode": "none",
                  "mode_set_on": "default", "regions": {
                      "R1": {"state": "source", "id": "i" * 36, "status": "active"},
                      "R2": {"state": "copying", "job_id": "j" * 36},
                      "R3": {"state": "unreachable"}}}]}
    html = page({}).ui.env.get_template("_images_matrix.html").render(
        session=SESSION, matrix=matrix, source="R1", targets=["R2", "R3"], next_url=None,
        first_url=None)
    assert XSS not in html and "&lt;script&gt;" in html
    assert 'data-region="R2" data-state="copying"' in html and f'/ui/jobs/{"j" * 36}' in html
    assert 'data-region="R3" data-state="unreachable"' in html
    assert 'class="sortable" id="images-table"' in html and 'name="csrf_token"' in html


class MatrixApi:
    """GET answers for the images page; `regions` are the ones the API knows."""

    def __init__(self, regions=("R1", "R2")):
        self.regions, self.sources = regions, []

    def gather(self, **calls):
        out = {}
        for name, (path, params) in calls.items():
            if name == "matrix":
                source = (params or {}).get("source")
                self.sources.append(source)
                out[name] = (ApiError(400, "unknown region", "source")
                             if source and source not in self.regions else
                             {"source_region": source or self.regions[0], "regions": [],
                              "unreachable": [], "images": [], "next_marker": None})
            elif name == "regions":
                out[name] = {"regions": [{"name": r} for r in self.regions]}
            else:
                out[name] = {"image_sync": {"mode": "none"}}
        return out


def images_page(query: str = "", cookie: str | None = None, api=None) -> Page:
    req = webob.Request.blank("/ui/images" + query)
    if cookie is not None:
        req.cookies[images.SOURCE_COOKIE] = cookie
    ui = SimpleNamespace(env=render.make_env(), conf=SimpleNamespace(
        ui=SimpleNamespace(page_size=50)))
    ui.env.globals.update(refresh_ms=2000, default_domain="Default")
    return Page(req, ui, {}, session=SESSION, api=api)


def cookie_set(p: Page) -> dict:
    return {name: (value, kw) for name, value, kw in p.cookies}


def test_the_chosen_source_is_remembered_and_used_next_time():
    api = MatrixApi()
    chosen = images_page("?source=R2", api=api)
    images.list_images(chosen)
    assert api.sources == ["R2"] and cookie_set(chosen)[images.SOURCE_COOKIE][0] == "R2"
    later = images_page(cookie="R2", api=api)
    images.list_images(later)
    assert api.sources[-1] == "R2" and images.SOURCE_COOKIE not in cookie_set(later)


def test_a_remembered_source_that_is_gone_falls_back_to_the_default():
    api = MatrixApi()
    p = images_page(cookie="Gone", api=api)
    resp = images.list_images(p)
    assert api.sources == ["Gone", None] and resp.status_int == 200
    assert cookie_set(p)[images.SOURCE_COOKIE] == ("", {"max_age": 0})
    assert "unknown region" not in resp.text
