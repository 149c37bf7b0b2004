"""`albatross address ...`: the project's addresses in every region, who uses an address,
conflicts, usage, the address plan and allocation, and exports."""
import sys

from albatross.cmd.client import output
from albatross.cmd.client.commands import add_common_options, client_for, handle_errors

ROW_COLUMNS = [("Kind", "kind"), ("Region", "region"), ("Address", "address"),
               ("MAC", "mac"), ("Name", "name"), ("Network", "network_name"),
               ("Network id", "network_id"), ("Object", "object_id"),
               ("Device owner", "device_owner"), ("Device", "device_id"),
               ("Seen", "seen_at")]


def _base(args, client) -> str:
    return f"/v1/projects/{args.project or client.session.get_project_id()}"


def _age(args) -> dict:
    return {"max_age": args.max_age}


def address_list(args):
    client = client_for(args)
    params = {k: v for k, v in (("region", args.region), ("network_id", args.network),
                                ("ip_version", args.ip_version), ("kind", args.kind))
              if v is not None}
    rows = client.get(_base(args, client) + "/addresses", **params, **_age(args))["addresses"]
    output.table(rows, ROW_COLUMNS, title="Addresses", fmt=args.format)


def address_find(args):
    client = client_for(args)
    key = "mac" if ":" in args.address and len(args.address) == 17 and \
        args.address.count(":") == 5 else "ip"
    rows = client.get(_base(args, client) + "/addresses/find",
                      **{key: args.address}, **_age(args))["addresses"]
    output.table(rows, ROW_COLUMNS, title=f"Who uses {args.address}", fmt=args.format)
    return 0 if rows else 1


def _side(side: dict) -> str:
    return " ".join(f"{k}={v}" for k, v in side.items() if v and k != "project_id")


def address_conflicts(args):
    client = client_for(args)
    found = client.get(_base(args, client) + "/addresses/conflicts", **_age(args))["conflicts"]
    rows = [{**c, "a": _side(c["side_a"]), "b": _side(c["side_b"])} for c in found]
    output.table(rows, [("Kind", "kind"), ("Shared", "key"), ("Group", "group"),
                        ("Side A", "a"), ("Side B", "b")], title="Conflicts", fmt=args.format)
    return 0 if not found else 4


def address_summary(args):
    client = client_for(args)
    rows = client.get(_base(args, client) + "/addresses/summary", **_age(args))["subnets"]
    output.table(rows, [("Region", "region"), ("Subnet", "subnet_id"), ("CIDR", "cidr"),
                        ("Size", "size"), ("Pools", "pool_size"), ("Used", "used"),
                        ("Free", "free")], title="Usage per subnet", fmt=args.format)


def address_export(args):
    client = client_for(args)
    sys.stdout.write(client.get_text(_base(args, client) + "/addresses",
                                     format=args.export, **_age(args)))


def address_refresh(args):
    client = client_for(args)
    regions = client.post(_base(args, client) + "/addresses/refresh")["regions"]
    output.table([{"region": r, "status": "up" if s == "ok" else s}
                  for r, s in sorted(regions.items())],
                 [("Region", "region"), ("Read", "status")], fmt=args.format)


def plan_set(args):
    client = client_for(args)
    groups = dict(g.split("=", 1) for g in args.group or ())
    plan = client.put(_base(args, client) + "/address-plan",
                      {"supernets": args.supernets, "groups": groups})
    output.fields(plan, ["project_id", "supernets", "groups"], args.format)


def plan_show(args):
    client = client_for(args)
    output.fields(client.get(_base(args, client) + "/address-plan"),
                  ["project_id", "supernets", "groups"], args.format)


def address_allocate(args):
    client = client_for(args)
    body = {"region": args.region, "network_id": args.network, "prefix_length": args.prefix,
            "ip_version": args.ip_version}
    if args.name:
        body["name"] = args.name
    got = client.post(_base(args, client) + "/subnets", body)
    output.fields(got, ["cidr", "region", "network_id", "subnet_id", "group"], args.format)


def _common(p, age=True):
    p.add_argument("--project", help="project id (default: your token's)")
    if age:
        p.add_argument("--max-age", type=int, default=60,
                       help="read the regions first if the view is older (seconds)")
    add_common_options(p)


def register(sub):
    addr = sub.add_parser("address", help="IP and MAC addresses across regions") \
        .add_subparsers(dest="action", required=True)
    p = addr.add_parser("list", help="every address of the project")
    p.add_argument("--region")
    p.add_argument("--network")
    p.add_argument("--ip-version", type=int, choices=[4, 6])
    p.add_argument("--kind", choices=["subnet", "fixed_ip", "floating_ip", "public"])
    _common(p)
    p.set_defaults(func=handle_errors(address_list))
    p = addr.add_parser("find", help="who uses this IP or MAC")
    p.add_argument("address")
    _common(p)
    p.set_defaults(func=handle_errors(address_find))
    for name, func, text in (("conflicts", address_conflicts, "overlaps and duplicates"),
                             ("summary", address_summary, "used and free per subnet")):
        p = addr.add_parser(name, help=text)
        _common(p)
        p.set_defaults(func=handle_errors(func))
    p = addr.add_parser("export", help="the whole view as CSV or JSON on stdout")
    p.add_argument("--export", choices=["csv", "json"], default="csv")
    _common(p)
    p.set_defaults(func=handle_errors(address_export))
    p = addr.add_parser("refresh", help="read every region now")
    _common(p, age=False)
    p.set_defaults(func=handle_errors(address_refresh))
    p = addr.add_parser("allocate", help="a subnet with the next free CIDR of the plan")
    p.add_argument("--region", required=True)
    p.add_argument("--network", required=True, help="network id in that region")
    p.add_argument("--prefix", type=int, required=True, help="prefix length, e.g. 24")
    p.add_argument("--ip-version", type=int, choices=[4, 6], default=4)
    p.add_argument("--name")
    _common(p, age=False)
    p.set_defaults(func=handle_errors(address_allocate))
    plan = sub.add_parser("address-plan", help="the project's address plan").add_subparsers(
        dest="action", required=True)
    p = plan.add_parser("set", help="supernets and connectivity groups")
    p.add_argument("supernets", nargs="+", metavar="CIDR")
    p.add_argument("--group", action="append", metavar="NETWORK_ID=GROUP")
    _common(p, age=False)
    p.set_defaults(func=handle_errors(plan_set))
    p = plan.add_parser("show", help="the plan")
    _common(p, age=False)
    p.set_defaults(func=handle_errors(plan_show))
