"""`albatross flavor sync ...` (admin): copy flavors, their extra specs and access."""
import sys

from albatross.cmd.client import output
from albatross.cmd.client.commands import (add_common_options, client_for, handle_errors,
                                            show_job, wait_for)

# result keys of a flavor task that say what was written, in the order they are shown
CHANGES = ("replaced_fields", "description_updated", "extra_specs_set", "extra_specs_unset",
           "access_added", "access_removed")


def _changes(result: dict) -> str:
    return "; ".join(f"{k}: {', '.join(v) if isinstance(v, list) else v}"
                     for k in CHANGES if (v := result.get(k)))


def flavor_sync(args):
    if not args.target and not args.all_regions:
        sys.exit("give --target REGION (repeatable) or --all-regions")
    body = {"source_region": args.source, "flavors": args.flavors, "force": args.force,
            "target_regions": "all" if args.all_regions else args.target}
    client = client_for(args)
    job = client.post("/v1/flavors/sync", body)["job"]
    if args.wait:
        job = wait_for(client, job["id"], args.timeout)
    show_job(job, args.format)
    rows = [{"resource": t["resource"], "target_region": t["target_region"],
             "changes": _changes(t.get("result") or {})} for t in job["tasks"]]
    if args.format == "table" and any(r["changes"] for r in rows):
        output.table([r for r in rows if r["changes"]], [
            ("Flavor", "resource"), ("Target", "target_region"), ("Changes", "changes")],
            title="Changes")
    return 0 if job["status"] != "FAILED" else 2


def register(sub):
    flavor = sub.add_parser("flavor", help="flavors (admin)").add_subparsers(dest="action",
                                                                             required=True)
    p = flavor.add_parser("sync", help="copy flavors (same id, extra specs, access) to "
                                       "other regions")
    p.add_argument("flavors", nargs="+", metavar="FLAVOR", help="flavor name or id")
    p.add_argument("--source", required=True, help="region that has the flavors")
    p.add_argument("--target", action="append", help="target region (repeatable)")
    p.add_argument("--all-regions", action="store_true", help="every region but the source")
    p.add_argument("--force", action="store_true",
                   help="delete and recreate target flavors whose fixed fields differ")
    p.add_argument("--wait", action="store_true", help="wait for the job, with progress")
    p.add_argument("--timeout", type=float, default=600)
    add_common_options(p)
    p.set_defaults(func=handle_errors(flavor_sync))
