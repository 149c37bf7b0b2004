"""`albatross secgroup sync`, `albatross policy ...`, `albatross drift show`."""
import sys

from albatross.cmd.client import output
from albatross.cmd.client.commands import (add_common_options, client_for, handle_errors,
                                           show_job, wait_for)

POLICY_COLUMNS = [("ID", "id"), ("Name", "name"), ("Type", "resource_type"),
                  ("Source", "source_region"), ("Targets", "targets"),
                  ("Selects", "selects"), ("Deletes", "propagate_deletes"),
                  ("Repair", "repair"), ("Every (s)", "interval"),
                  ("Last audit", "last_audit_at")]
DRIFT_COLUMNS = [("When", "created_at"), ("Region", "region"), ("Type", "resource_type"),
                 ("Resource", "resource"), ("Kind", "kind"), ("Detail", "detail"),
                 ("Repaired", "repaired")]


def _targets(args):
    if not args.target and not args.all_regions:
        sys.exit("give --target REGION (repeatable) or --all-regions")
    return "all" if args.all_regions else args.target


def _finish(args, client, job):
    if args.wait:
        job = wait_for(client, job["id"], args.timeout)
    show_job(job, args.format)
    return 0 if job["status"] != "FAILED" else 2


def secgroup_sync(args):
    body = {"source_region": args.source, "target_regions": _targets(args)}
    if args.names:
        body["security_groups"] = args.names
    if args.tag:
        body["tags"] = args.tag
    if args.all:
        body["all"] = True
    if args.project_id:
        body["project_id"] = args.project_id
    client = client_for(args)
    return _finish(args, client, client.post("/v1/security-groups/sync", body)["job"])


def _policy_row(p: dict) -> dict:
    sel = p.get("selector") or {}
    selects = "all" if sel.get("all") else ", ".join(
        [*sel.get("names", []), *(f"tag:{t}" for t in sel.get("tags", []))])
    targets = p["target_regions"]
    return {**p, "selects": selects,
            "targets": targets if targets == "all" else ", ".join(targets)}


def policy_create(args):
    body = {"name": args.name, "resource_type": args.type, "source_region": args.source,
            "target_regions": _targets(args), "propagate_deletes": args.propagate_deletes,
            "repair": not args.report_only}
    if args.all:
        body["all"] = True
    if args.names:
        body["names"] = args.names
    if args.tag:
        body["tags"] = args.tag
    if args.interval:
        body["interval"] = args.interval
    p = client_for(args).post("/v1/sync-policies", body)["policy"]
    output.fields(_policy_row(p), [k for _h, k in POLICY_COLUMNS], args.format)


def policy_list(args):
    rows = client_for(args).get("/v1/sync-policies")["policies"]
    output.table([_policy_row(p) for p in rows], POLICY_COLUMNS, fmt=args.format)


def policy_show(args):
    p = client_for(args).get(f"/v1/sync-policies/{args.policy_id}")["policy"]
    output.fields(_policy_row(p), [k for _h, k in POLICY_COLUMNS] + ["last_job_id", "enabled"],
                  args.format)


def policy_delete(args):
    client_for(args).delete(f"/v1/sync-policies/{args.policy_id}")
    print(f"sync policy {args.policy_id} deleted (the copies stay)")


def policy_audit(args):
    client = client_for(args)
    return _finish(args, client, client.post(f"/v1/sync-policies/{args.policy_id}/audit")["job"])


def drift_show(args):
    params = {"limit": args.limit}
    if args.policy:
        params["policy_id"] = args.policy
    if args.region:
        params["region"] = args.region
    rows = client_for(args).get("/v1/drift", **params)["drift"]
    output.table(rows, DRIFT_COLUMNS, title="Drift (newest first)", fmt=args.format)


def _region_options(p):
    p.add_argument("--source", required=True, help="region whose objects are the truth")
    p.add_argument("--target", action="append", help="target region (repeatable)")
    p.add_argument("--all-regions", action="store_true", help="every region but the source")


def _wait_options(p):
    p.add_argument("--wait", action="store_true", help="wait for the job, with progress")
    p.add_argument("--timeout", type=float, default=600)


def register(sub):
    sg = sub.add_parser("secgroup", help="security groups").add_subparsers(dest="action",
                                                                           required=True)
    p = sg.add_parser("sync", help="copy security groups (rules included) to other regions")
    p.add_argument("names", nargs="*", metavar="GROUP", help="names or ids")
    p.add_argument("--tag", action="append", help="also groups with this tag (repeatable)")
    p.add_argument("--all", action="store_true", help="every group of the project")
    p.add_argument("--project-id", help="admin: another project's groups")
    _region_options(p)
    _wait_options(p)
    add_common_options(p)
    p.set_defaults(func=handle_errors(secgroup_sync))

    pol = sub.add_parser("policy", help="sync policies: keep resources in step").add_subparsers(
        dest="action", required=True)
    p = pol.add_parser("create", help="keep keypairs or security groups in step")
    p.add_argument("name")
    p.add_argument("--type", required=True, choices=["keypair", "security_group"])
    p.add_argument("names", nargs="*", metavar="RESOURCE", help="names (or ids) to keep")
    p.add_argument("--tag", action="append", help="security groups with this tag")
    p.add_argument("--all", action="store_true", help="every resource of that type")
    p.add_argument("--propagate-deletes", action="store_true",
                   help="delete a copy (made by Albatross) when its source is deleted")
    p.add_argument("--report-only", action="store_true", help="report drift, do not repair")
    p.add_argument("--interval", type=int, help="seconds between audits")
    _region_options(p)
    add_common_options(p)
    p.set_defaults(func=handle_errors(policy_create))
    p = pol.add_parser("list", help="the project's sync policies")
    add_common_options(p)
    p.set_defaults(func=handle_errors(policy_list))
    for name, func, text in (("show", policy_show, "a sync policy"),
                             ("delete", policy_delete, "delete a policy (copies stay)"),
                             ("audit", policy_audit, "audit and repair now")):
        p = pol.add_parser(name, help=text)
        p.add_argument("policy_id")
        if name == "audit":
            _wait_options(p)
        add_common_options(p)
        p.set_defaults(func=handle_errors(func))

    drift = sub.add_parser("drift", help="drift found by audits").add_subparsers(
        dest="action", required=True)
    p = drift.add_parser("show", help="differences found, newest first")
    p.add_argument("--policy", help="only this policy's")
    p.add_argument("--region")
    p.add_argument("--limit", type=int, default=50)
    add_common_options(p)
    p.set_defaults(func=handle_errors(drift_show))
