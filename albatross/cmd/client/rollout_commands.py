"""`albatross image rollout ...`: controlled rollouts of a new image version in waves, with
tables of the waves and of the history (who did what, when, with which job)."""
import time

from albatross.cmd.client import output
from albatross.cmd.client.commands import add_common_options, client_for, handle_errors

WAVE_COLUMNS = [("Wave", "index"), ("Regions", "regions"), ("Job", "job_id"),
                ("Job status", "job_status"), ("Verified", "verified"), ("Hidden", "hidden"),
                ("Error", "error")]
HISTORY_COLUMNS = [("When", "at"), ("Who", "actor"), ("Event", "event"),
                   ("From", "from_state"), ("To", "to_state"), ("Wave", "wave"),
                   ("Job", "job_id"), ("Detail", "detail")]
LIST_COLUMNS = [("ID", "id"), ("Image", "image"), ("Source", "source_region"),
                ("State", "state"), ("Wave", "current_wave"), ("Waves", "wave_regions"),
                ("Created", "created_at")]
MOVING = ("running", "rolling_back")


def _settled(r: dict) -> bool:
    """Nothing will change without a person (or the rollback job failed: re-run it)."""
    return r["state"] not in MOVING or (r["state"] == "rolling_back"
                                        and r.get("rollback_job_status") == "FAILED")


def _wait(client, rollout: dict, timeout: float) -> dict:
    deadline = time.monotonic() + timeout
    with output.progress_console.status(f"rollout {rollout['id'][:8]}: {rollout['state']}") \
            as status:
        while not _settled(rollout) and time.monotonic() < deadline:
            time.sleep(1)
            rollout = client.get(f"/v1/image-rollouts/{rollout['id']}")["rollout"]
            status.update(f"rollout {rollout['id'][:8]}: {rollout['state']} "
                          f"(wave {rollout['current_wave']})")
    return rollout


def show(rollout: dict, fmt: str) -> int:
    if fmt == "json":
        output.fields(rollout, [], fmt)
    else:
        output.fields(rollout, ["id", "image_id", "image_name", "source_region", "state",
                                "current_wave", "auto_approve", "rollback_job_id",
                                "rollback_job_status", "created_at", "updated_at"])
        output.table([{**w, "regions": ", ".join(w["regions"]),
                       "hidden": " ".join(f"{r}: {', '.join(ids)}"
                                          for r, ids in w["hidden"].items() if ids)}
                      for w in rollout["waves"]], WAVE_COLUMNS, title="Waves")
        output.table(rollout.get("history", []), HISTORY_COLUMNS, title="History")
    return 2 if rollout["state"] == "failed" else 0


def rollout_start(args):
    if not args.wave:
        raise ValueError("give at least one --wave REGION[,REGION...]")
    waves = [[r.strip() for r in w.split(",") if r.strip()] for w in args.wave]
    client = client_for(args)
    rollout = client.post("/v1/image-rollouts", {
        "image_id": args.image, "source_region": args.source, "waves": waves,
        "auto_approve": args.auto_approve})["rollout"]
    if args.wait:
        rollout = _wait(client, rollout, args.timeout)
    return show(rollout, args.format)


def rollout_list(args):
    rows = client_for(args).get("/v1/image-rollouts")["rollouts"]
    output.table([{**r, "image": r["image_name"] or r["image_id"],
                   "wave_regions": " | ".join(", ".join(w["regions"]) for w in r["waves"])}
                  for r in rows], LIST_COLUMNS, fmt=args.format)


def _command(action):
    def run(args):
        client = client_for(args)
        path = f"/v1/image-rollouts/{args.rollout_id}"
        rollout = (client.get(path) if action == "status"
                   else client.post(f"{path}/{action}"))["rollout"]
        if args.wait:
            rollout = _wait(client, rollout, args.timeout)
        return show(rollout, args.format)
    return run


def _wait_options(p):
    p.add_argument("--wait", action="store_true",
                   help="wait until the rollout needs a person or is done")
    p.add_argument("--timeout", type=float, default=3600)


def register(image_sub):
    """Adds `image rollout ...` under the `image` command."""
    ro = image_sub.add_parser("rollout", help="controlled mode: roll a new image version out "
                                              "in waves, with approval and rollback")
    ro = ro.add_subparsers(dest="rollout_action", required=True)
    p = ro.add_parser("start", help="start a rollout (the first wave starts at once)")
    p.add_argument("image", metavar="IMAGE_ID", help="the new version, in the source region")
    p.add_argument("--source", required=True, help="region that has the image")
    p.add_argument("--wave", action="append", metavar="REGION[,REGION...]",
                   help="the regions of one wave, in order (repeat per wave)")
    p.add_argument("--auto-approve", action="store_true",
                   help="start each wave once the previous one is verified")
    _wait_options(p)
    add_common_options(p)
    p.set_defaults(func=handle_errors(rollout_start))
    p = ro.add_parser("list", help="the project's rollouts")
    add_common_options(p)
    p.set_defaults(func=handle_errors(rollout_list))
    for action, text in (("status", "waves, their jobs and the history"),
                         ("approve", "start the next wave"),
                         ("pause", "start no wave until resumed"),
                         ("resume", "go on after a pause"),
                         ("abort", "start no further wave"),
                         ("rollback", "return every touched region to how it was")):
        p = ro.add_parser(action, help=text)
        p.add_argument("rollout_id")
        _wait_options(p)
        add_common_options(p)
        p.set_defaults(func=handle_errors(_command(action)))
