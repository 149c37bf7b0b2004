"""Events and service logs: a search over the API's filters with cursor pages, and a live
tail of the newest matching rows that refreshes itself. Logs are admin data: the API answers
a member's token with 403, which becomes the 403 page."""
import datetime
import json
import re

from albatross.ui.app import PREFIX, get
from albatross.ui.backend import ApiError, query_string

TAIL_SIZE = 50
SINCE = {"15m": datetime.timedelta(minutes=15), "1h": datetime.timedelta(hours=1),
         "6h": datetime.timedelta(hours=6), "24h": datetime.timedelta(days=1),
         "7d": datetime.timedelta(days=7)}
EVENT_FIELDS = ("region", "service", "source", "event_type", "request_id", "q", "start", "end",
                "since")
LOG_FIELDS = ("region", "service", "host", "level", "request_id", "q", "start", "end", "since")
LEVELS = ("TRACE", "DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
SERVICES = ("compute", "network", "image", "volume", "identity", "albatross")
_LOCAL = re.compile(r"(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2})(:\d{2}(?:\.\d+)?)?")


# ---- pure helpers (tests/unit/test_ui_search_forms.py) ------------------------------------
def form_values(args, fields) -> dict:
    """The filter form's fields as typed (to fill the form again), stripped."""
    return {f: (args.get(f) or "").strip() for f in fields}


def api_time(value: str) -> str | None:
    """A datetime-local field (`2026-11-30T04:12`; the dashboard's times are UTC) as the
    API's ISO 8601 UTC time. Anything else goes on as typed: the API says what is wrong."""
    value = (value or "").strip()
    if not value:
        return None
    m = _LOCAL.fullmatch(value)
    if m:
        return f"{m[1]}T{m[2]}{m[3] or ':00'}Z"
    return value


def iso(dt: datetime.datetime) -> str:
    return dt.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def search_params(values: dict, now: datetime.datetime) -> dict:
    """Form values -> the API's query parameters: empty ones dropped, times converted,
    `since` (a quick range) as the start when no start is given."""
    params = {k: v for k, v in values.items() if v and k not in ("start", "end", "since")}
    start, end = api_time(values.get("start", "")), api_time(values.get("end", ""))
    if not start and values.get("since") in SINCE:
        start = iso(now - SINCE[values["since"]])
    params.update({k: v for k, v in (("start", start), ("end", end)) if v})
    return params


def scope_params(args, is_admin: bool) -> dict:
    """Events of every project (optionally one other project) are for admins only."""
    if not is_admin or (args.get("all_projects") or "") not in ("1", "true", "on"):
        return {}
    project = (args.get("project_id") or "").strip()
    return {"all_projects": "true", **({"project_id": project} if project else {})}


def tail_params(params: dict) -> dict:
    """The tail follows the filters but not the time range: it always shows the newest."""
    return {k: v for k, v in params.items() if k not in ("start", "end", "cursor")}


def pretty(payload) -> str:
    return json.dumps(payload, indent=2, sort_keys=True, default=str) if payload else ""


# ---- handlers -----------------------------------------------------------------------------
def _now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)


def _search(page, kind: str, fields: tuple, scope: dict, items_key: str, cursor_key: str):
    """The search page, or only its tail when the page asks for its news."""
    url, path = f"{PREFIX}/{kind}", f"/v1/{kind}"
    values = form_values(page.req.GET, fields)
    params = {**search_params(values, _now()), **scope}
    tail = tail_params(params)
    tail_url = url + query_string(tail)
    live = f"_{kind}_tail.html"
    if page.fragment:
        answer = page.api.gather(tail=(path, {**tail, "limit": TAIL_SIZE}))["tail"]
        rows, error = _rows(answer, items_key)
        return page.render(f"{kind}.html", partial=live, tail=rows, tail_error=error,
                           tail_url=tail_url)
    cursor = page.arg("cursor")
    size = page.ui.conf.ui.page_size
    answers = page.api.gather(
        search=(path, {**params, "limit": size, "cursor": cursor or None}),
        tail=(path, {**tail, "limit": TAIL_SIZE}),
        regions=("/v1/regions", {"health": "false"}))
    results, search_error = _rows(answers["search"], items_key)
    tail_rows, tail_error = _rows(answers["tail"], items_key)
    regions = answers["regions"]
    regions = [] if isinstance(regions, ApiError) else [r["name"] for r in regions["regions"]]
    keep = {**values, **scope}
    if values["since"] and not values["start"] and "start" in params:
        keep.update(since="", start=params["start"].rstrip("Z"))  # pages of one time range
    nxt = None if search_error else answers["search"].get(cursor_key)
    for row in results:
        row["pretty"] = pretty(row.get("payload") or row.get("extra"))
    return page.render(
        f"{kind}.html", partial=live, active=kind.capitalize(), values=values, scope=scope,
        results=results, search_error=search_error, tail=tail_rows, tail_error=tail_error,
        tail_url=tail_url, tail_size=TAIL_SIZE, regions=regions, since=SINCE, levels=LEVELS,
        services=SERVICES,
        next_url=url + query_string({**keep, "cursor": nxt}) if nxt and results else None,
        first_url=url + query_string(keep) if cursor else None)


def _rows(answer, key: str):
    """(rows, None) or ([], the API's message) for a 400 (a bad date, a bad full-text
    query): the page shows it beside the form. Other errors end the page (403, 5xx)."""
    if isinstance(answer, ApiError):
        if answer.status != 400:
            raise answer
        named = not answer.field or answer.message.startswith(answer.field)
        where = "" if named else f" ({answer.field})"
        return [], f"{answer.message}{where}"
    return answer[key], None


def events(page):
    scope = scope_params(page.req.GET, page.is_admin)
    return _search(page, "events", EVENT_FIELDS, scope, "events", "next_cursor")


def logs(page):
    return _search(page, "logs", LOG_FIELDS, {}, "logs", "next")


ROUTES = [
    get(PREFIX + "/events", events),
    get(PREFIX + "/logs", logs),
]
