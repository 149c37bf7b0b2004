"""`albatross quota ...` and `albatross quota-class ...`."""
import argparse

from albatross.cmd.client import output
from albatross.cmd.client.commands import (add_common_options, client_for, handle_errors,
                                            show_job, wait_for)


def _project(args, client) -> str:
    return args.project or client.session.get_project_id()


ENFORCEMENT = {"enforced": "yes", "shown_only": "shown only", "unlimited": "-"}


def _over(over: dict | None) -> str:
    """'+2 since 2026-12-02 21:40 (RegionOne 4/3, RegionTwo 4/3)'"""
    if not over:
        return ""
    regions = ", ".join(f"{r} {v['usage']}/{v['limit']}" for r, v in sorted(
        over["regions"].items()) if v.get("limit") is not None and v["usage"] > v["limit"])
    since = over["since"][:16].replace("T", " ")
    return f"+{over['over_by']} since {since}" + (f" ({regions})" if regions else "")


def quota_show(args):
    client = client_for(args)
    q = client.get(f"/v1/projects/{_project(args, client)}/quotas")["quota"]
    if args.format == "json":
        output.fields(q, [], "json")
        return 0
    regions = list(q["regions"])
    rows = []
    for name, r in q["resources"].items():
        row = {"resource": name, "limit": "unlimited" if r["limit"] == -1 else r["limit"],
               "enforced": ENFORCEMENT.get(r.get("enforcement"), "?"),
               "used": r["total_usage"], "over": _over(r.get("over_limit")),
               "left": "-" if r["remaining"] is None else r["remaining"],
               "soft": r["soft_limit"] if r["soft_limit"] is not None else ""}
        for region in regions:
            used, native = r["usage"][region], r["regional_limits"][region]
            row[region] = "?" if used is None else f"{used}/{'∞' if native == -1 else native}"
        rows.append(row)
    columns = [("Resource", "resource"), ("Global limit", "limit"), ("Enforced", "enforced"),
               ("Used", "used"), ("Left", "left"), ("Soft", "soft"), ("Over limit", "over")] \
        + [(f"{r} used/limit", r) for r in regions]
    output.table(rows, columns, title=f"Quotas of project {q['project_id']} "
                                      f"(class {q['quota_class']})")
    if any(r.get("enforcement") == "shown_only" for r in q["resources"].values()):
        output.console.print("shown only: a default this project is not rebalanced to; "
                             "each region applies its own limit (set limits or a class to "
                             "enforce it)")
    for region, state in q["regions"].items():
        if state["status"] != "ok":
            output.console.print(f"[red]{region} did not answer:[/red] {state['error']}")
    return 0 if q["complete"] else 2


def _pairs(items, what) -> dict:
    out = {}
    for item in items or []:
        name, sep, value = item.partition("=")
        if not sep:
            raise argparse.ArgumentTypeError(f"{what} must look like NAME=VALUE, not {item!r}")
        out[name] = value
    return out


def quota_set(args):
    body = {}
    limits = {k: int(v) for k, v in _pairs(args.limit, "--limit").items()}
    if limits:
        body["limits"] = limits
    soft = {}
    for name, value in _pairs(args.soft, "--soft").items():
        soft[name] = ({"percent": float(value[:-1])} if value.endswith("%")
                      else {"absolute": int(value)})
    if soft:
        body["soft"] = soft
    if args.quota_class is not None:
        body["quota_class"] = None if args.quota_class == "default" else args.quota_class
    client = client_for(args)
    job = client.request("PUT", f"/v1/projects/{args.project}/quotas", body)["job"]
    _finish(client, job, args)


def quota_sync(args):
    client = client_for(args)
    job = client.post(f"/v1/projects/{args.project}/quotas/sync")["job"]
    _finish(client, job, args)


def _finish(client, job, args):
    if args.wait:
        job = wait_for(client, job["id"], args.timeout)
    show_job(job, args.format)


def class_show(args):
    c = client_for(args).get(f"/v1/quota-classes/{args.name}")["quota_class"]
    output.table([{"resource": k, "limit": v} for k, v in c["limits"].items()],
                 [("Resource", "resource"), ("Limit", "limit")],
                 title=f"Quota class {c['name']}", fmt=args.format)


def class_set(args):
    limits = {k: int(v) for k, v in _pairs(args.limit, "--limit").items()}
    client_for(args).request("PUT", f"/v1/quota-classes/{args.name}", {"limits": limits})
    class_show(args)


def class_delete(args):
    client_for(args).delete(f"/v1/quota-classes/{args.name}")
    print(f"quota class {args.name} deleted")


def register(sub):
    quota = sub.add_parser("quota", help="global quotas").add_subparsers(dest="action",
                                                                         required=True)
    p = quota.add_parser("show", help="global view: limits, usage per region, totals")
    p.add_argument("--project", help="project id (default: your token's project)")
    add_common_options(p)
    p.set_defaults(func=handle_errors(quota_show))
    for name, func, text in (("set", quota_set, "set global limits (admin)"),
                             ("sync", quota_sync, "rebalance the regions now (admin)")):
        p = quota.add_parser(name, help=text)
        p.add_argument("project", help="project id")
        if name == "set":
            p.add_argument("--limit", action="append", metavar="RESOURCE=N",
                           help="global hard limit; -1 = unlimited (repeatable)")
            p.add_argument("--soft", action="append", metavar="RESOURCE=N|P%",
                           help="warning threshold, absolute or percent (repeatable)")
            p.add_argument("--class", dest="quota_class", help="quota class ('default' "
                                                               "to drop the project's)")
        p.add_argument("--wait", action="store_true", help="wait for the rebalance")
        p.add_argument("--timeout", type=float, default=600)
        add_common_options(p)
        p.set_defaults(func=handle_errors(func))

    klass = sub.add_parser("quota-class", help="quota classes").add_subparsers(
        dest="action", required=True)
    for name, func, text in (("show", class_show, "a class's limits"),
                             ("set", class_set, "set a class's limits (admin)"),
                             ("delete", class_delete, "delete a class (admin)")):
        p = klass.add_parser(name, help=text)
        p.add_argument("name")
        if name == "set":
            p.add_argument("--limit", action="append", metavar="RESOURCE=N", required=True)
        add_common_options(p)
        p.set_defaults(func=handle_errors(func))
