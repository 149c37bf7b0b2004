"""How strictly each region's own service holds its native quota: N creates at once against
a limit of usage + 3, per resource Albatross enforces, repeated; prints the overshoot (usage
as the service reports it, minus the limit) for every round and in all.

    .venv/bin/python -m bench.quota_race [--rounds 5] [--creates 16] [--region RegionTwo]
        [--setting default|neutron-default|neutron-legacy-driver|nova-no-recheck]

A setting other than `default` puts that setting over the dev cloud's generated config of
the service for the run (run/overrides.json), restarts it, and takes it back at the end. Servers (instances, cores) are
raced in RegionOne, the only region of the dev cloud that boots them."""
import argparse
import statistics

from albatross.devcloud import DevCloud
from tests.integration.projects import Project, connect_cloud
from tests.integration.quota_race import NOVA, RESOURCES, SETTINGS, race, setting

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--creates", type=int, default=16)
    ap.add_argument("--region", default="RegionTwo")
    ap.add_argument("--setting", default="default", choices=["default", *SETTINGS])
    ap.add_argument("--resources", default=",".join(RESOURCES))
    args = ap.parse_args()
    resources = args.resources.split(",")
    if args.setting.startswith("nova"):
        resources = [r for r in resources if r in NOVA]
    elif args.setting.startswith("neutron"):
        resources = [r for r in resources if r not in NOVA + ("volumes", "gigabytes")]
    devcloud, info = DevCloud(), connect_cloud()
    project = Project(info)
    _uid, connect = project.member()
    print(f"setting {args.setting}; {args.creates} creates at once against usage + 3, "
          f"{args.rounds} rounds")
    print(f"{'resource':16} {'region':11} {'accepted':>22} {'overshoot':>22} "
          f"{'running over':>14} {'mean':>5} {'max':>4}")
    try:
        for resource in resources:
            region = "RegionOne" if resource in NOVA else args.region
            with setting(devcloud, args.setting, [region]):
                results = [race(info["conns"][region], connect, region, project.id, resource,
                                n=args.creates) for _ in range(args.rounds)]
            over = [r.overshoot for r in results]
            usable = [r.usable_overshoot for r in results]
            print(f"{resource:16} {region:11} {str([r.accepted for r in results]):>22} "
                  f"{str(over):>22} {str(usable) if resource in NOVA else '':>14} "
                  f"{statistics.mean(over):5.1f} {max(over):4}", flush=True)
    finally:
        project.destroy()


if __name__ == "__main__":
    main()
