"""Global quotas: per resource the global limit, usage per region as a stacked bar, total,
remaining and soft limit, the regions that did not answer and recent quota events. Admins
view any project (?project=ID), set limits / soft limits / class, drop the project's own
limits, start a rebalance and edit quota classes; members see their project read-only."""
from urllib.parse import quote

from albatross.ui import charts
from albatross.ui.app import PREFIX, get, post
from albatross.ui.backend import ApiError, query_string

# what an action's refusal looks like: a 400/409 names the field; a 404 here names a missing
# input (a project without limits of its own, an unknown class), not a missing page
EVENTS_SHOWN = 50
# limits the API copies to every region as they are (per user or per object), not split: a
# sum over the regions says less for them (docs/quota.md)
PER_REGION = frozenset({"key_pairs", "metadata_items", "server_group_members"})


def _number(text: str):
    """A form value as a JSON number when it is one; otherwise the text as it is, so that the
    API's 400 names the field (the dashboard validates nothing itself)."""
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text


def limits_body(form: dict, resources) -> dict:
    """{limit_<r>, soft_abs_<r>, soft_pct_<r>, quota_class} -> the quota PUT body; empty
    fields are left out (unchanged)."""
    limits, soft = {}, {}
    for r in resources:
        if form.get(f"limit_{r}", ""):
            limits[r] = _number(form[f"limit_{r}"])
        one = {}
        if form.get(f"soft_abs_{r}", ""):
            one["absolute"] = _number(form[f"soft_abs_{r}"])
        if form.get(f"soft_pct_{r}", ""):
            one["percent"] = _number(form[f"soft_pct_{r}"])
        if one:
            soft[r] = one
    body = {}
    if limits:
        body["limits"] = limits
    if soft:
        body["soft"] = soft
    if form.get("quota_class", ""):
        body["quota_class"] = form["quota_class"]
    return body


def class_body(form: dict, resources) -> dict:
    return {"limits": {r: _number(form[f"limit_{r}"]) for r in resources
                       if form.get(f"limit_{r}", "")}}


def region_legend(view: dict) -> list[dict]:
    """Every region in a fixed order, so that one region has one colour in every bar."""
    return [{"name": name, "colour": charts.colour(i), **view["regions"][name]}
            for i, name in enumerate(sorted(view["regions"]))]


def quota_rows(view: dict) -> list[dict]:
    regions = sorted(view["regions"])
    rows = []
    for name, r in view["resources"].items():
        limit, soft, total = r["limit"], r.get("soft_limit"), r["total_usage"]
        parts = [(reg, r["usage"].get(reg) or 0) for reg in regions]
        if limit is not None and limit >= 0 and total > limit:
            state = "over"
        elif soft is not None and total >= soft:
            state = "soft"
        else:
            state = ""
        rows.append({"name": name, "limit": limit, "soft": soft, "total": total,
                     "enforcement": r.get("enforcement", "enforced"),
                     "over": _over(r.get("over_limit")),
                     "remaining": r.get("remaining"), "state": state,
                     "bar": charts.stacked_bar(parts, limit, soft),
                     "usage": [(reg, r["usage"].get(reg)) for reg in regions],
                     "regional": [(reg, r["regional_limits"].get(reg)) for reg in regions],
                     "per_region": name in PER_REGION})
    return rows


def _over(over: dict | None) -> dict | None:
    """The overshoot on record, for its line under the resource: by how much, since when,
    and the regions whose own service let usage pass its native limit."""
    if not over:
        return None
    return {"by": over["over_by"], "since": over["since"][:16].replace("T", " "),
            "regions": [(r, v["usage"], v["limit"]) for r, v in sorted(over["regions"].items())
                        if v.get("limit") is not None and v["usage"] > v["limit"]]}


def _project(page, source) -> str:
    return source("project") or page.project_id


def _back(page, project: str) -> str:
    own = project == page.project_id
    return PREFIX + "/quotas" + ("" if own else query_string({"project": project}))


def _project_name(page, project: str) -> str:
    for p in page.session.projects or []:
        if p.get("id") == project:
            return p.get("name") or project
    return project


def show_quotas(page):
    project = _project(page, page.arg)
    p = quote(project, safe="")
    answers = page.api.gather(view=(f"/v1/projects/{p}/quotas", {}),
                              events=(f"/v1/projects/{p}/quota-events",
                                      {"limit": EVENTS_SHOWN}))
    if isinstance(answers["view"], ApiError):
        raise answers["view"]
    view = answers["view"]["quota"]
    events = answers["events"]
    legend = region_legend(view)
    return page.render(
        "quotas.html", partial="_quotas_live.html", active="Quotas", project_id=project,
        project_name=_project_name(page, project), quota=view, rows=quota_rows(view),
        legend=legend, down=[r for r in legend if r["status"] != "ok"],
        events=None if isinstance(events, ApiError) else events["events"],
        events_error=events.message if isinstance(events, ApiError) else None,
        self_url=_back(page, project))



def set_limits(page):
    project = _project(page, page.form)
    resources = page.form_list("resource")
    form = {k: page.form(k) for k in page.req.POST.keys()}
    body = limits_body(form, resources)
    return page.act(_back(page, project),
                    lambda: page.api.put(f"/v1/projects/{quote(project, safe='')}/quotas", body),
                    f"Quotas of {project} saved; the regions are being rebalanced.")


def drop_limits(page):
    project = _project(page, page.form)
    chosen = page.form_list("drop")
    what = ", ".join(chosen) if chosen else "all its own limits"
    return page.act(_back(page, project),
                    lambda: page.api.delete(f"/v1/projects/{quote(project, safe='')}/quotas",
                                            resource=chosen or None),
                    f"Project {project} dropped {what}; it follows its class again.",
                    job_page=False)


def sync_quotas(page):
    project = _project(page, page.form)
    return page.act(_back(page, project),
                    lambda: page.api.post(f"/v1/projects/{quote(project, safe='')}/quotas/sync"),
                    f"Rebalance of {project} started.")


def show_class(page):
    name = page.arg("name") or "default"
    answer = page.api.get(f"/v1/quota-classes/{quote(name, safe='')}")["quota_class"]
    return page.render("quotas_class.html", active="Quotas", quota_class=answer)


def save_class(page):
    name = page.form("name") or "default"
    back = PREFIX + "/quotas/class" + query_string({"name": name})
    form = {k: page.form(k) for k in page.req.POST.keys()}
    body = class_body(form, page.form_list("resource"))
    return page.act(back,
                    lambda: page.api.put(f"/v1/quota-classes/{quote(name, safe='')}", body),
                    f"Quota class {name} saved.", job_page=False)


ROUTES = [
    get(PREFIX + "/quotas", show_quotas),
    post(PREFIX + "/quotas/limits", set_limits),
    post(PREFIX + "/quotas/drop", drop_limits),
    post(PREFIX + "/quotas/sync", sync_quotas),
    get(PREFIX + "/quotas/class", show_class),
    post(PREFIX + "/quotas/class", save_class),
]
