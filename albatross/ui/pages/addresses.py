"""Addresses: the project's global address table (every region's subnets, fixed IPs with
their MACs, floating and public addresses), the conflicts between regions with both sides,
who uses an IP or MAC, usage per subnet, a refresh, the address plan and the allocation of
the next free CIDR from it; admins also see every project's external addresses."""
import ipaddress
import math
import re

import webob

from albatross.ui.app import PREFIX, get, post
from albatross.ui.backend import ApiError, query_string

URL = PREFIX + "/addresses"
KINDS = ("subnet", "fixed_ip", "floating_ip", "public")
SORTS = {"region": "Region", "kind": "Kind", "address": "Address", "mac": "MAC",
         "network": "Network", "seen": "Last seen"}
MAC = re.compile(r"^[0-9A-Fa-f]{2}([:-][0-9A-Fa-f]{2}){5}$")
FRESH = 3600   # reads after the table's own: the inventory was refreshed by it just now


# ---- pure helpers (tests/unit/test_ui_search_forms.py) ------------------------------------
def list_filters(args: dict) -> dict:
    """The table's filter fields as the API's query parameters (empty ones dropped, unknown
    kinds and IP versions ignored)."""
    out = {"region": args.get("region", "").strip(),
           "network_id": args.get("network_id", "").strip()}
    if args.get("kind") in KINDS:
        out["kind"] = args["kind"]
    if args.get("ip_version") in ("4", "6"):
        out["ip_version"] = int(args["ip_version"])
    return {k: v for k, v in out.items() if v not in ("", None)}


def find_query(text: str) -> dict:
    """What the find box holds as the API's parameter: a MAC (`fa:16:3e:..`) or an IP."""
    text = text.strip()
    return {"mac": text} if MAC.match(text) else {"ip": text}


def _address_key(text):
    """Addresses in numeric order (IPv4 before IPv6, then CIDRs by their first address);
    anything unparsable after them, as text."""
    if not text:
        return (2, 0, 0, "")
    try:
        net = ipaddress.ip_network(text, strict=False)
        return (0, net.version, int(net.network_address), str(net.prefixlen))
    except ValueError:
        return (1, 0, 0, str(text))


def sort_rows(rows: list[dict], key: str, descending: bool = False) -> list[dict]:
    """The whole table sorted before it is cut into pages (the browser sorts one page)."""
    keys = {"region": lambda r: (r.get("region") or "", _address_key(r.get("address"))),
            "kind": lambda r: (r.get("kind") or "", _address_key(r.get("address"))),
            "address": lambda r: (_address_key(r.get("address")), r.get("region") or ""),
            "mac": lambda r: ((r.get("mac") or "~").lower(), r.get("region") or ""),
            "network": lambda r: (r.get("network_id") or "", _address_key(r.get("address"))),
            "seen": lambda r: (r.get("seen_at") or "", r.get("region") or "")}
    return sorted(rows, key=keys.get(key, keys["region"]), reverse=descending)


def page_slice(rows: list, page: str | int, size: int) -> tuple[list, int, int]:
    """(rows of page N, N, number of pages); a bad or too large N gives the nearest page."""
    pages = max(1, math.ceil(len(rows) / size))
    try:
        n = min(max(1, int(page)), pages)
    except (TypeError, ValueError):
        n = 1
    return rows[(n - 1) * size:n * size], n, pages


def parse_supernets(text: str) -> list[str]:
    return [s for s in re.split(r"[\s,]+", text.strip()) if s]


def parse_groups(text: str) -> dict[str, str]:
    """`network-id = group` per line (or `network-id group`); blank lines and # comments
    skipped. ValueError names the line that is neither."""
    groups = {}
    for n, line in enumerate(text.splitlines(), 1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        net, sep, group = line.partition("=") if "=" in line else line.partition(" ")
        if not sep or not net.strip() or not group.strip():
            raise ValueError(f"groups, line {n}: write network-id = group")
        groups[net.strip()] = group.strip()
    return groups


def groups_text(groups: dict) -> str:
    return "\n".join(f"{net} = {group}" for net, group in sorted((groups or {}).items()))


def side_object(side: dict) -> tuple[str, str, str]:
    """(what, id, name) of one side of a conflict: its subnet, port, floating IP or router,
    and Neutron's name for it ("" when none; a floating IP's description)."""
    for key, label, name in (("fip_id", "floating IP", "description"),
                             ("router_id", "router", "router_name"),
                             ("port_id", "port", "port_name"),
                             ("subnet_id", "subnet", "subnet_name")):
        if side.get(key):
            return label, side[key], side.get(name) or ""
    return "", "", ""


# ---- handlers -----------------------------------------------------------------------------
def _base(page) -> str:
    return f"/v1/projects/{page.project_id}"


def addresses(page):
    args = {k: page.arg(k) for k in ("region", "kind", "ip_version", "network_id", "sort",
                                     "order", "page", "find")}
    filters = list_filters(args)
    base = _base(page)
    rows = page.api.get(base + "/addresses", **filters)["addresses"]
    calls = {"conflicts": (base + "/addresses/conflicts", {"max_age": FRESH}),
             "summary": (base + "/addresses/summary", {"max_age": FRESH}),
             "plan": (base + "/address-plan", {}),
             "regions": ("/v1/regions", {"health": "false"})}
    if args["find"]:
        calls["find"] = (base + "/addresses/find", {**find_query(args["find"]),
                                                    "max_age": FRESH})
    answers = page.api.gather(**calls)
    for name in ("conflicts", "summary", "regions"):
        if isinstance(answers[name], ApiError):
            raise answers[name]
    plan, find_error, found = answers["plan"], None, None
    if isinstance(plan, ApiError):
        if plan.status != 404:
            raise plan
        plan = None
    if "find" in answers:
        if isinstance(answers["find"], ApiError):
            if answers["find"].status != 400:
                raise answers["find"]
            find_error = answers["find"].message
        else:
            found = answers["find"]["addresses"]
    sort = args["sort"] if args["sort"] in SORTS else "region"
    ordered = sort_rows(rows, sort, args["order"] == "desc")
    shown, n, pages = page_slice(ordered, args["page"], page.ui.conf.ui.page_size)
    keep = {**filters, "sort": args["sort"], "order": args["order"]}
    return page.render(
        "addresses.html", active="Addresses", view="project", rows=shown, total=len(rows),
        page_n=n, pages=pages, args=args, sorts=SORTS, kinds=KINDS,
        prev_url=URL + query_string({**keep, "page": n - 1}) if n > 1 else None,
        next_url=URL + query_string({**keep, "page": n + 1}) if n < pages else None,
        csv_url=URL + "/export.csv" + query_string(filters),
        conflicts=answers["conflicts"]["conflicts"], usage=answers["summary"]["subnets"],
        plan=plan, plan_groups=groups_text((plan or {}).get("groups")),
        regions=[r["name"] for r in answers["regions"]["regions"]],
        networks=sorted({(r["region"], r["network_id"]) for r in rows
                         if r["kind"] in ("subnet", "fixed_ip") and r["network_id"]}),
        found=found, find_error=find_error, side_object=side_object)


def export_csv(page):
    filters = list_filters({k: page.arg(k) for k in ("region", "kind", "ip_version",
                                                     "network_id")})
    text = page.api.call("GET", _base(page) + "/addresses", {**filters, "format": "csv"},
                         raw=True)
    resp = webob.Response(content_type="text/csv", charset="utf-8")
    resp.content_disposition = 'attachment; filename="addresses.csv"'
    resp.text = text
    return resp


def _act(page, call, success):
    """An action on the API: a 400/409 goes back to the page with the API's message."""
    try:
        answer = call()
    except ApiError as exc:
        if exc.status in (400, 409):
            return page.failed(URL, exc)
        raise
    return page.done(URL, success(answer))


def refresh(page):
    try:
        regions = page.api.post(_base(page) + "/addresses/refresh")["regions"]
    except ApiError as exc:
        if exc.status in (400, 409):
            return page.failed(URL, exc)
        raise
    failed = {r: why for r, why in sorted(regions.items()) if why != "ok"}
    if failed:
        page.flash("Not read (their last rows stay): " +
                   "; ".join(f"{r}: {why}" for r, why in failed.items()), "error")
        return page.redirect(URL)
    return page.done(URL, f"Read every region now: {', '.join(sorted(regions))}.")


def allocate(page):
    try:
        prefix = int(page.form("prefix_length"))
    except ValueError:
        return page.failed(URL, ApiError(400, "the prefix length must be a number",
                                         "prefix_length"))
    body = {"region": page.form("region"), "network_id": page.form("network_id"),
            "prefix_length": prefix, "ip_version": 6 if page.form("ip_version") == "6" else 4}
    if page.form("name"):
        body["name"] = page.form("name")
    return _act(page, lambda: page.api.post(_base(page) + "/subnets", body),
                lambda a: f"Allocated {a['cidr']} in {a['region']} (subnet {a['subnet_id']}, "
                          f"connectivity group {a.get('group') or 'default'}).")


def save_plan(page):
    try:
        body = {"supernets": parse_supernets(page.form("supernets")),
                "groups": parse_groups(page.req.POST.get("groups", ""))}
    except ValueError as exc:
        return page.failed(URL, ApiError(400, str(exc), "groups"))
    return _act(page, lambda: page.api.put(_base(page) + "/address-plan", body),
                lambda a: "Address plan saved: " + ", ".join(a["supernets"]) + ".")


def external(page):
    answer = page.api.get("/v1/addresses/external")
    return page.render("addresses.html", active="Addresses", view="external",
                       external=answer, side_object=side_object)


ROUTES = [
    get(URL, addresses),
    get(URL + "/export.csv", export_csv),
    get(URL + "/external", external),
    post(URL + "/refresh", refresh),
    post(URL + "/allocate", allocate),
    post(URL + "/plan", save_plan),
]
