"""Command line of the dev cloud: python -m albatross.devcloud COMMAND ..."""
from __future__ import annotations

import argparse
import json
import sys

from .core import DevCloud
from .settings import MAX_REGIONS, DevCloudError, Paths


def _parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="python -m albatross.devcloud",
                                 description="Albatross's multi-region OpenStack dev cloud "
                                             "(base dir: $ALBATROSS_DEVCLOUD_BASE)")
    ap.add_argument("--base", help="base directory (default $ALBATROSS_DEVCLOUD_BASE or "
                                   "/var/tmp/albatross-devcloud)")
    sub = ap.add_subparsers(dest="cmd", required=True)
    up = sub.add_parser("up", help="install if needed, start everything, wait until it answers")
    up.add_argument("--regions", type=int, default=2, choices=range(1, MAX_REGIONS + 1),
                    metavar=f"N (1-{MAX_REGIONS})")
    up.add_argument("--full-nova", action="store_true",
                    help="RabbitMQ + conductor, scheduler, fake compute in RegionOne")
    up.add_argument("--albatross-url", help="Albatross endpoint for the catalog "
                                            "(default http://127.0.0.1:8118)")
    down = sub.add_parser("down", help="stop everything the dev cloud started")
    down.add_argument("--purge", action="store_true",
                      help="also drop its databases and wipe its data (keeps the venv)")
    sub.add_parser("status", help="table of every service; exit 1 if a started one is down")
    for name in ("stop", "start"):
        sp = sub.add_parser(name, help=f"{name} one service, e.g. {name} RegionTwo nova")
        sp.add_argument("region")
        sp.add_argument("service", choices=DevCloud.SERVICES)
    sim = sub.add_parser("sim", help="the region simulator with N regions and its own "
                                     "Keystone (docs/decisions/0005)")
    sim.add_argument("--regions", type=int, default=100)
    sim.add_argument("--rtt-ms", type=float, default=0.0, help="round trip of every region")
    sub.add_parser("info", help="print the JSON of DevCloud.info()")
    sub.add_parser("freeze", help="rewrite constraints.txt from the dev cloud venv")
    return ap


def _status(dc: DevCloud) -> int:
    rows = dc.status()
    fmt = "{:<12} {:<15} {:>5} {:>9} {:<9} {:>7}"
    print(fmt.format("REGION", "SERVICE", "PORT", "PID", "ANSWERING", "PSS_MB"))
    bad = 0
    for r in rows:
        pid = r["pid"] if r["pid"] else "-"
        ans = "yes" if r["answering"] else ("no" if r["started"] or pid == "external" else "stopped")
        if (r["started"] or pid == "external") and not r["answering"]:
            bad += 1
        print(fmt.format(r["region"], r["service"], r["port"] or "-", pid, ans, r["pss_mb"] or "-"))
    total = sum(r["pss_mb"] for r in rows)
    print(f"total PSS of the processes the dev cloud started: {total} MB")
    return 1 if bad else 0


def main(argv: list[str]) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.cmd == "up":
            dc = DevCloud(args.base, regions=args.regions, full_nova=args.full_nova,
                          albatross_url=args.albatross_url)
            dc.up()
            return 0
        dc = DevCloud(args.base)
        if args.cmd == "down":
            dc.down(purge=args.purge)
        elif args.cmd == "status":
            return _status(dc)
        elif args.cmd == "stop":
            dc.stop_service(args.region, args.service)
        elif args.cmd == "start":
            dc.start_service(args.region, args.service)
        elif args.cmd == "sim":
            from .sim_catalog import simulate
            found = simulate(Paths.from_env(args.base), args.regions, args.rtt_ms)
            print(json.dumps({k: v for k, v in found.items() if k != "region_names"},
                             indent=2))
        elif args.cmd == "info":
            print(json.dumps(dc.info(), indent=2))
        elif args.cmd == "freeze":
            from .install import write_constraints
            write_constraints(Paths.from_env(args.base))
        return 0
    except DevCloudError as exc:
        print(f"devcloud: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
