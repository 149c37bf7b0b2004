"""`albatross image sync|ensure`: copies with a progress bar of bytes per region. Other image
commands (modes, rollouts) register under the same `image` parser."""
import time

from rich.progress import (BarColumn, DownloadColumn, Progress, TextColumn, TimeElapsedColumn,
                           TransferSpeedColumn)

from albatross.cmd.client import output
from albatross.cmd.client.commands import (add_common_options, client_for, handle_errors,
                                           show_job)

TERMINAL = {"SUCCESS", "FAILED", "SKIPPED"}


def watch_copies(client, job_id: str, timeout: float) -> dict:
    """Poll the job; one bar per (image, region) task, in bytes as the workers report them."""
    deadline = time.monotonic() + timeout
    job = client.get(f"/v1/jobs/{job_id}")["job"]
    with Progress(TextColumn("[bold]{task.description}"), BarColumn(), DownloadColumn(),
                  TransferSpeedColumn(), TextColumn("{task.fields[state]}"),
                  TimeElapsedColumn(), console=output.progress_console) as progress:
        bars = {}
        while True:
            for t in job["tasks"]:
                result = t.get("result") or {}
                total = result.get("bytes_total") or result.get("bytes") or None
                done = result.get("bytes_done", result.get("bytes", 0)) or 0
                if t["id"] not in bars:
                    bars[t["id"]] = progress.add_task(
                        f"{t['resource'][:8]} -> {t['target_region']}", total=total,
                        state=t["status"])
                progress.update(bars[t["id"]], total=total, completed=done, state=t["status"])
            if job["status"] in ("SUCCESS", "FAILED") or time.monotonic() > deadline:
                return job
            time.sleep(0.5)
            job = client.get(f"/v1/jobs/{job_id}")["job"]


def image_sync(args):
    if not args.target and not args.all_regions:
        raise ValueError("give --target REGION (repeatable) or --all-regions")
    client = client_for(args)
    job = client.post("/v1/images/sync", {
        "source_region": args.source, "images": args.images, "force": args.force,
        "target_regions": "all" if args.all_regions else args.target})["job"]
    if args.wait:
        job = watch_copies(client, job["id"], args.timeout)
    show_job(job, args.format)
    return 0 if job["status"] != "FAILED" else 2


def image_ensure(args):
    """The API answers at once (200 active, or 202 with the copy's job); the waiting for the
    copy is done here, on the job, with its progress bar."""
    body = {"region": args.region}
    if args.source:
        body["source_region"] = args.source
    client = client_for(args)
    answer = client.post(f"/v1/images/{args.image}/ensure", body)
    image, error = answer["image"], None
    if image["status"] != "active" and answer.get("job_id") and args.wait > 0:
        job = watch_copies(client, answer["job_id"], args.wait)
        mine = [t for t in job["tasks"] if t["target_region"] == args.region]
        if job["status"] == "SUCCESS":
            image = {**image, "status": "active", "copied": True,
                     "id": (mine[0].get("result") or {}).get("target_id") if mine else None}
        elif job["status"] == "FAILED":
            image = {**image, "status": "failed"}
            error = next((t["error"] for t in mine if t.get("error")), "the copy failed")
    output.fields({**image, "job_id": answer.get("job_id"), "error": error},
                  ["id", "region", "status", "copied", "job_id", "error"], args.format)
    return 0 if image["status"] == "active" else 2 if error else 3


def register(sub):
    """Adds `image sync` and `image ensure`; returns the `image` subparsers for others."""
    image = sub.add_parser("image", help="images across regions").add_subparsers(
        dest="action", required=True)
    p = image.add_parser("sync", help="copy images to other regions (one download, all "
                                      "targets at once)")
    p.add_argument("images", nargs="+", metavar="IMAGE_ID")
    p.add_argument("--source", required=True, help="region that has the images")
    p.add_argument("--target", action="append", help="target region (repeatable)")
    p.add_argument("--all-regions", action="store_true", help="every region but the source")
    p.add_argument("--force", action="store_true",
                   help="replace a different image holding the id in a target")
    p.add_argument("--wait", action="store_true", help="follow the copies with progress bars")
    p.add_argument("--timeout", type=float, default=3600)
    add_common_options(p)
    p.set_defaults(func=handle_errors(image_sync))
    p = image.add_parser("ensure", help="make sure an image is ACTIVE in a region, copying "
                                        "it there on first use (lazy mode)")
    p.add_argument("image", metavar="IMAGE_ID")
    p.add_argument("--region", required=True)
    p.add_argument("--source", help="region to copy from (default: any that has it)")
    p.add_argument("--wait", type=float, default=300,
                   help="seconds to follow the copy's job (then exit 3 with the job id; "
                        "2: the copy failed)")
    add_common_options(p)
    p.set_defaults(func=handle_errors(image_ensure))
    return image
