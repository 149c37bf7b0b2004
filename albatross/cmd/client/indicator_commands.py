"""`albatross indicators summary|show`: capacity, utilization and the status of every region,
and one indicator over time."""
import datetime

from albatross.cmd.client import output
from albatross.cmd.client.commands import add_common_options, client_for, handle_errors
from albatross.indicators.catalog import COUNTED_KINDS, INDICATORS, PLACEMENT_CLASSES
from albatross.indicators.timespec import iso, parse_duration

COUNT_HEADERS = {"servers": "Servers", "volumes": "Volumes", "images": "Images",
                 "networks": "Networks", "ports": "Ports", "floating_ips": "Floating IPs"}


def _number(value) -> str:
    if value is None:
        return "-"
    if float(value).is_integer() or abs(value) >= 1000:
        return f"{value:,.0f}"
    return f"{value:.4g}"


def _usage(cap: dict | None) -> str:
    """"1,024 / 4,000 (25.6%)"; "-" when the region never reported it."""
    if not cap:
        return "-"
    util = cap["utilization"]
    pct = "" if util is None else f" ({util * 100:.1f}%)"
    return f"{_number(cap['used'])} / {_number(cap['capacity'])}{pct}"


def indicators_summary(args):
    got = client_for(args).get("/v1/indicators/summary")
    if args.format == "json":
        output.fields(got, [], "json")
        return 0
    overall = got["overall"]
    rows = [{"region": r["region"], "status": r["status"], "reason": r["reason"] or "",
             **{rc: _usage(r["capacity"].get(rc)) for rc in PLACEMENT_CLASSES},
             **{k: r["counts"].get(k, "-") for k in COUNTED_KINDS}} for r in got["regions"]]
    rows.append({"region": "all regions",
                 "status": f"{overall['regions_up']} up, {overall['regions_down']} down",
                 **{rc: _usage(overall["capacity"][rc]) for rc in PLACEMENT_CLASSES},
                 **overall.get("counts", {}), "reason": ""})
    output.table(rows, [("Region", "region"), ("Status", "status")]
                 + [(f"{rc} used / capacity", rc) for rc in PLACEMENT_CLASSES]
                 + [("Reason", "reason")],
                 title=f"Capacity (collected {got['collected_at'] or 'never'})")
    output.table(rows, [("Region", "region")]
                 + [(COUNT_HEADERS[k], k) for k in COUNTED_KINDS],
                 title="Objects (all projects)")
    return 0


def indicators_show(args):
    now = datetime.datetime.now(datetime.UTC).replace(tzinfo=None)
    params = {"name": args.name,
              "start": iso(now - datetime.timedelta(seconds=parse_duration(args.since)))}
    for key, value in (("region", args.region), ("step", args.step),
                       ("project_id", args.project)):
        if value:
            params[key] = value
    got = client_for(args).get("/v1/indicators", **params)
    if args.format == "json":
        output.fields(got, [], "json")
        return 0
    label = INDICATORS[args.name].label
    rows = [{"time": p["time"], "region": s["region"], "project": s["project_id"] or "",
             "key": s["labels"].get(label, ""), "mean": _number(p["mean"]),
             "min": _number(p["min"]), "max": _number(p["max"]), "samples": p["samples"]}
            for s in got["series"] for p in s["points"]]
    columns = [("Time", "time"), ("Region", "region")]
    if any(r["project"] for r in rows):
        columns.append(("Project", "project"))
    if label:
        columns.append((label.capitalize(), "key"))
    columns += [("Mean", "mean"), ("Min", "min"), ("Max", "max"), ("Samples", "samples")]
    output.table(rows, columns, title=f"{args.name} every {got['step']}s since {got['start']}")
    return 0


def register(sub):
    ind = sub.add_parser("indicators", help="capacity, health and usage of every region") \
        .add_subparsers(dest="action", required=True)
    p = ind.add_parser("summary", help="admin: capacity, utilization and status per region")
    add_common_options(p)
    p.set_defaults(func=handle_errors(indicators_summary))
    p = ind.add_parser("show", help="one indicator over time")
    p.add_argument("name", choices=sorted(INDICATORS), metavar="NAME",
                   help=", ".join(sorted(INDICATORS)))
    p.add_argument("--region")
    p.add_argument("--project", help="project id (per-project indicators)")
    p.add_argument("--since", default="1h", help="how far back: 30m, 6h, 2d (default 1h)")
    p.add_argument("--step", help="bucket length: 1m, 5m, 1h (default: at most 300 rows "
                                   "per series)")
    add_common_options(p)
    p.set_defaults(func=handle_errors(indicators_show))
