"""Keypairs and security groups: sync named resources from a source region to target regions
(a job whose page shows live progress), the sync policies of that resource type (create,
audit and repair now, delete) and the drift their audits found, per region, with a repair
button per row (the policy's audit)."""
from dataclasses import dataclass
from urllib.parse import quote

from albatross.ui.app import PREFIX, get, post
from albatross.ui.backend import ApiError, query_string

# an action the API refused: a 400/409 names the field; a 404 here names a missing input (a
# keypair not in the source region, a policy deleted meanwhile), not a missing page


@dataclass(frozen=True)
class Kind:
    slug: str             # the page: /ui/<slug>
    resource_type: str    # a sync policy's resource_type
    label: str            # nav label and title
    sync_path: str        # the API's sync route
    template: str
    drift_types: frozenset  # drift rows' resource_type shown on this page


KEYPAIRS = Kind("keypairs", "keypair", "Keypairs", "/v1/keypairs/sync", "keypairs.html",
                frozenset({"keypair"}))
SECGROUPS = Kind("secgroups", "security_group", "Security groups", "/v1/security-groups/sync",
                 "secgroups.html", frozenset({"security_group", "address_group", "rule"}))


def split_names(text: str) -> list[str]:
    """One per line or comma-separated; blanks dropped, order kept, each once."""
    parts = (p.strip() for line in (text or "").splitlines() for p in line.split(","))
    return list(dict.fromkeys(p for p in parts if p))


def target_regions(form: dict):
    """"all" (every region but the source) when asked, else the regions ticked."""
    return "all" if form.get("all_regions") else list(form.get("target") or [])


def _int(text: str):
    try:
        return int(text)
    except ValueError:
        return text  # the API's 400 names the field


def sync_body(kind: Kind, form: dict) -> dict:
    """The form of a sync (source, target / all_regions, names, force | tags, all; an admin's
    user_id | project_id) -> the body of POST /v1/keypairs/sync or /v1/security-groups/sync.
    Nothing is checked here: the API's 400 names the field."""
    body = {"source_region": form.get("source", ""), "target_regions": target_regions(form)}
    names = split_names(form.get("names", ""))
    if kind is KEYPAIRS:
        body["keypairs"] = names
        if form.get("force"):
            body["force"] = True
        if form.get("user_id"):
            body["user_id"] = form["user_id"]
        return body
    if names:
        body["security_groups"] = names
    tags = split_names(form.get("tags", ""))
    if tags:
        body["tags"] = tags
    if form.get("all"):
        body["all"] = True
    if form.get("project_id"):
        body["project_id"] = form["project_id"]
    return body


def policy_body(kind: Kind, form: dict) -> dict:
    """The form of a new policy -> the body of POST /v1/sync-policies."""
    body = {"name": form.get("name", ""), "resource_type": kind.resource_type,
            "source_region": form.get("source", ""), "target_regions": target_regions(form),
            "propagate_deletes": bool(form.get("propagate_deletes")),
            "repair": not form.get("report_only")}
    if form.get("all"):
        body["all"] = True
    names = split_names(form.get("names", ""))
    if names:
        body["names"] = names
    tags = split_names(form.get("tags", ""))
    if tags:
        body["tags"] = tags
    if form.get("interval"):
        body["interval"] = _int(form["interval"])
    return body


def _form(page) -> dict:
    return {k: (page.form_list(k) if k == "target" else page.form(k))
            for k in page.req.POST.keys()}



def _tasks(answer) -> str:
    n = sum(answer["job"].get("task_counts", {}).values())
    return f"{n} task{'' if n == 1 else 's'}"


def show(kind: Kind):
    def handler(page):
        size = page.ui.conf.ui.page_size
        filters = {"region": page.arg("region"),
                   "all_projects": "1" if page.is_admin and page.arg("all_projects") == "1"
                   else ""}
        marker = page.arg("marker")
        answers = page.api.gather(regions=("/v1/regions", {"health": "false"}),
                                  policies=("/v1/sync-policies", {}))
        if isinstance(answers["regions"], ApiError):
            raise answers["regions"]
        regions = [r["name"] for r in answers["regions"]["regions"]]
        policies, policies_error = answers["policies"], None
        if isinstance(policies, ApiError):
            policies, policies_error = [], policies.message
        else:
            policies = [p for p in policies["policies"]
                        if p["resource_type"] == kind.resource_type]
        query = {"region": filters["region"] or None,
                 "all_projects": "true" if filters["all_projects"] else None,
                 "resource_type": ",".join(sorted(kind.drift_types))}
        try:
            drift = page.api.get("/v1/drift", limit=size + 1, marker=marker or None,
                                 **query)["drift"]
            drift_error = None
        except ApiError as exc:
            drift, drift_error = [], exc.message
        next_marker = drift[size - 1]["id"] if len(drift) > size else None
        drift = drift[:size]
        base = f"{PREFIX}/{kind.slug}"
        next_url = (base + query_string({**filters, "marker": next_marker}) + "#drift"
                    if next_marker else None)
        first_url = (base + query_string(filters) + "#drift") if marker else None
        source = page.arg("source") if page.arg("source") in regions else (
            "RegionOne" if "RegionOne" in regions else (regions[0] if regions else None))
        return page.render(kind.template, active=kind.label, kind=kind, regions=regions,
                           source=source, policies=policies, policies_error=policies_error,
                           policy_by_id={p["id"]: p for p in policies},
                           drift=drift, drift_error=drift_error, filters=filters,
                           next_url=next_url, first_url=first_url)
    return handler


def start_sync(kind: Kind):
    def handler(page):
        body = sync_body(kind, _form(page))
        return page.act(f"{PREFIX}/{kind.slug}", lambda: page.api.post(kind.sync_path, body),
                        lambda a: f"{kind.label} sync started: {_tasks(a)}.")
    return handler


def create_policy(kind: Kind):
    def handler(page):
        body = policy_body(kind, _form(page))
        return page.act(f"{PREFIX}/{kind.slug}#policies",
                        lambda: page.api.post("/v1/sync-policies", body),
                        f"Sync policy {body['name']} created; it is audited when due.")
    return handler


def audit_policy(kind: Kind):
    def handler(page):
        pid = quote(page.params["policy_id"], safe="")
        return page.act(f"{PREFIX}/{kind.slug}#drift",
                        lambda: page.api.post(f"/v1/sync-policies/{pid}/audit"),
                        lambda a: f"Audit and repair started: {_tasks(a)}.")
    return handler


def delete_policy(kind: Kind):
    def handler(page):
        pid = quote(page.params["policy_id"], safe="")
        return page.act(f"{PREFIX}/{kind.slug}#policies",
                        lambda: page.api.delete(f"/v1/sync-policies/{pid}"),
                        "Sync policy deleted; the copies it made stay.")
    return handler


ROUTES = [r for kind in (KEYPAIRS, SECGROUPS) for r in (
    get(f"{PREFIX}/{kind.slug}", show(kind)),
    post(f"{PREFIX}/{kind.slug}/sync", start_sync(kind)),
    post(f"{PREFIX}/{kind.slug}/policies", create_policy(kind)),
    post(f"{PREFIX}/{kind.slug}/policies/{{policy_id}}/audit", audit_policy(kind)),
    post(f"{PREFIX}/{kind.slug}/policies/{{policy_id}}/delete", delete_policy(kind)),
)]
