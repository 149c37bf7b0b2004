"""Images: the image x region matrix of the project (GET /v1/images) with a source region
selector; sync of the ticked images to chosen regions, lazy ensure of one image in a region,
the image's mode and the project default, a controlled rollout in waves. Rollouts: the list,
and one rollout live with its waves, jobs and history and its actions."""
from urllib.parse import quote

from albatross.ui.app import PREFIX, REFUSED, get, post
from albatross.ui.backend import ApiError, query_string

MAX_WAVES = 5
SOURCE_COOKIE = "albatross_image_source"
ROLLOUT_ACTIONS = ("approve", "pause", "resume", "abort", "rollback")
# the state machine's rules (albatross/images/rollout.py), only to show the buttons that can
# work: the API decides (409 otherwise)
ALLOWED = {"approve": {"waiting_approval"}, "pause": {"running", "waiting_approval"},
           "resume": {"paused"}, "abort": {"running", "waiting_approval", "paused"}}
FINAL = {"completed", "failed", "aborted", "rolled_back"}
UNFINISHED_JOB = ("QUEUED", "RUNNING")
DONE = {"approve": "The next wave starts.", "pause": "The rollout is paused.",
        "resume": "The rollout resumes.", "abort": "The rollout is aborted: no further wave "
        "starts.", "rollback": "The rollback starts: every region the rollout touched is "
        "restored."}


def _back(page) -> str:
    source = page.form("source")
    return PREFIX + "/images" + query_string({"source": source})


def _image_path(page) -> str:
    """The form's image id as one segment of an API path (never a query or another path)."""
    return quote(page.form("image_id"), safe="")


def setting_body(page) -> dict:
    """The mode form -> PUT body; fields the mode does not use are left out."""
    body = {"mode": page.form("mode")}
    if page.form("source_region") and body["mode"] in ("auto", "lazy"):
        body["source_region"] = page.form("source_region")
    if body["mode"] == "auto":
        if page.form("all_regions"):
            body["target_regions"] = "all"
        elif page.form_list("target"):
            body["target_regions"] = page.form_list("target")
        if page.form("propagate_deletes"):
            body["propagate_deletes"] = True
    return body


def list_images(page):
    size = page.ui.conf.ui.page_size
    # the source the user chose last time (a cookie), else the API's default: the project's
    # image-sync source or the first region by name
    chosen, marker = page.arg("source"), page.arg("marker")
    source = chosen or page.req.cookies.get(SOURCE_COOKIE, "")
    answers = page.api.gather(
        matrix=("/v1/images", {"source": source or None, "limit": size,
                               "marker": marker or None}),
        regions=("/v1/regions", {"health": "false"}),
        default=(f"/v1/projects/{page.project_id}/image-sync", None))
    for answer in answers.values():
        if isinstance(answer, ApiError) and answer.status in (401, 403):
            raise answer
    matrix, problem = answers["matrix"], None
    if isinstance(matrix, ApiError) and matrix.status == 400 and source and not chosen:
        page.cookies.append((SOURCE_COOKIE, "", {"max_age": 0}))   # a remembered region gone
        source = ""
        matrix = page.api.gather(matrix=("/v1/images", {"limit": size}))["matrix"]
    if isinstance(matrix, ApiError):
        if matrix.status not in (400, 503):
            raise matrix
        matrix, problem = None, matrix.message
    regions = [] if isinstance(answers["regions"], ApiError) else \
        [r["name"] for r in answers["regions"]["regions"]]
    if chosen and matrix:
        page.cookies.append((SOURCE_COOKIE, chosen, {"max_age": 90 * 86400}))
    source = matrix["source_region"] if matrix else source
    default = None if isinstance(answers["default"], ApiError) else \
        answers["default"]["image_sync"]
    targets = [r for r in regions if r != source]
    next_url = None
    if matrix and matrix["next_marker"]:
        next_url = PREFIX + "/images" + query_string({"source": source,
                                                      "marker": matrix["next_marker"]})
    first_url = (PREFIX + "/images" + query_string({"source": source})) if marker else None
    return page.render("images.html", active="Images", matrix=matrix, problem=problem,
                       regions=regions, source=source, targets=targets, default=default,
                       waves=range(1, min(len(targets), MAX_WAVES) + 1),
                       next_url=next_url, first_url=first_url)


def sync_images(page):
    body = {"source_region": page.form("source"),
            "target_regions": "all" if page.form("all_regions") else page.form_list("target"),
            "images": page.form_list("image")}
    if page.form("force"):
        body["force"] = True
    return page.act(_back(page), lambda: page.api.post("/v1/images/sync", body),
                    f"Copying {len(body['images'])} image(s): one task per image and region.")


def ensure_image(page):
    image_id, region = page.form("image_id"), page.form("region")
    body = {"region": region}
    if page.form("source_region"):
        body["source_region"] = page.form("source_region")
    try:
        answer = page.api.post(f"/v1/images/{_image_path(page)}/ensure", body)
    except ApiError as exc:
        if exc.status in REFUSED + (503,):   # 503: the copy failed, with the region's reason
            return page.failed(_back(page), exc)
        raise
    if answer["image"]["status"] == "active":          # 200
        copied = " (copied now)" if answer["image"].get("copied") else ""
        return page.done(_back(page), f"Image {image_id} is ACTIVE in {region}{copied}.")
    message = f"Image {image_id} is still being copied to {region}."  # 202
    if answer.get("job_id"):
        return page.done(f"{PREFIX}/jobs/{answer['job_id']}", message)
    return page.done(_back(page), message)


def set_image_mode(page):
    image_id = page.form("image_id")
    return page.act(_back(page), lambda: page.api.put(
        f"/v1/images/{_image_path(page)}/sync-mode", setting_body(page)),
        lambda answer: mode_message(image_id, answer["sync_mode"]))


def mode_message(image_id: str, mode: dict) -> str:
    return f"Image {image_id} now has mode {mode['mode']}."


def unset_image_mode(page):
    return page.act(_back(page), lambda: page.api.delete(
        f"/v1/images/{_image_path(page)}/sync-mode"),
        f"Image {page.form('image_id')} follows the project default again.")


def set_default(page):
    return page.act(_back(page), lambda: page.api.put(
        f"/v1/projects/{page.project_id}/image-sync", setting_body(page)),
        f"The project default is now {page.form('mode')}.")


def unset_default(page):
    return page.act(_back(page), lambda: page.api.delete(
        f"/v1/projects/{page.project_id}/image-sync"), "The project default is none again.")


def start_rollout(page):
    waves = [page.form_list(f"wave{i}") for i in range(1, MAX_WAVES + 1)]
    body = {"image_id": page.form("image_id"), "source_region": page.form("source"),
            "waves": [w for w in waves if w]}
    if page.form("auto_approve"):
        body["auto_approve"] = True
    try:
        answer = page.api.post("/v1/image-rollouts", body)
    except ApiError as exc:
        if exc.status in REFUSED:
            return page.failed(_back(page), exc)
        raise
    return page.done(f"{PREFIX}/rollouts/{answer['rollout']['id']}", "The rollout started.")


# ---- rollouts --------------------------------------------------------------------------------
def list_rollouts(page):
    rollouts = page.api.get("/v1/image-rollouts")["rollouts"]
    return page.render("rollouts.html", partial="_rollout_list.html", active="Images",
                       rollouts=rollouts)


def is_final(rollout: dict) -> bool:
    """Nothing will change without someone acting: a final state and no job still running."""
    jobs = [w["job_status"] for w in rollout["waves"]] + [rollout["rollback_job_status"]]
    return rollout["state"] in FINAL and not any(j in UNFINISHED_JOB for j in jobs)


def allowed_actions(rollout: dict) -> list[str]:
    state = rollout["state"]
    out = [a for a in ROLLOUT_ACTIONS[:4] if state in ALLOWED[a]]
    if state != "rolled_back" and (state != "rolling_back"
                                   or rollout["rollback_job_status"] == "FAILED"):
        out.append("rollback")
    return out


def show_rollout(page):
    rollout = page.api.get(f"/v1/image-rollouts/{page.params['rollout_id']}")["rollout"]
    return page.render("rollout.html", partial="_rollout_live.html", active="Images",
                       rollout=rollout, final=is_final(rollout),
                       actions=allowed_actions(rollout))


def act_on_rollout(page):
    rollout_id, action = page.params["rollout_id"], page.params["action"]
    url = f"{PREFIX}/rollouts/{rollout_id}"
    if action not in ROLLOUT_ACTIONS:
        return page.redirect(url)
    return page.act(url, lambda: page.api.post(f"/v1/image-rollouts/{rollout_id}/{action}"),
                    DONE[action], job_page=False)


ROUTES = [
    get(PREFIX + "/images", list_images),
    post(PREFIX + "/images/sync", sync_images),
    post(PREFIX + "/images/ensure", ensure_image),
    post(PREFIX + "/images/mode", set_image_mode),
    post(PREFIX + "/images/mode/unset", unset_image_mode),
    post(PREFIX + "/images/default", set_default),
    post(PREFIX + "/images/default/unset", unset_default),
    post(PREFIX + "/images/rollout", start_rollout),
    get(PREFIX + "/rollouts", list_rollouts),
    get(PREFIX + "/rollouts/{rollout_id}", show_rollout),
    post(PREFIX + "/rollouts/{rollout_id}/{action}", act_on_rollout),
]
