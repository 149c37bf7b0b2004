"""`albatross region|keypair|job ...`: the REST API from a terminal."""
import sys
import time

from keystoneauth1 import exceptions as ks_exc
from openstack import exceptions as sdk_exc
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from albatross.cmd.client import output
from albatross.cmd.client.http import AlbatrossClient, ApiError

TERMINAL = {"SUCCESS", "FAILED", "SKIPPED"}
JOB_COLUMNS = [("ID", "id"), ("Kind", "kind"), ("Status", "status"), ("Tasks", "tasks"),
               ("Project", "project_id"), ("Created", "created_at")]
TASK_COLUMNS = [("Resource", "resource"), ("Source", "source_region"),
                ("Target", "target_region"), ("Status", "status"), ("Attempts", "attempts"),
                ("Action", "action"), ("ms", "duration_ms"), ("Error", "error")]


def client_for(args) -> AlbatrossClient:
    return AlbatrossClient(cloud=args.os_cloud, url=args.url)


def _task_summary(job: dict) -> str:
    counts = job.get("task_counts", {})
    done = sum(counts.get(s, 0) for s in TERMINAL)
    return f"{done}/{sum(counts.values())}" + (f" ({counts['FAILED']} failed)"
                                                if counts.get("FAILED") else "")


def show_job(job: dict, fmt: str):
    if fmt == "json":
        output.fields(job, [], fmt)
        return
    output.fields({**job, "tasks": _task_summary(job)},
                  ["id", "kind", "status", "tasks", "project_id", "user_id", "origin",
                   "request_id", "created_at", "finished_at"])
    rows = [{**t, "action": (t.get("result") or {}).get("action")} for t in job["tasks"]]
    output.table(rows, TASK_COLUMNS, title="Tasks")


def region_list(args):
    regions = client_for(args).get("/v1/regions", health=str(not args.no_health).lower())
    rows = [{"name": r["name"], "status": r.get("status", "-"),
             "services": ", ".join(f"{s['type']}" + ("" if s.get("status", "up") == "up"
                                                     else " (down)") for s in r["services"]),
             "identity": r.get("identity_url")} for r in regions["regions"]]
    output.table(rows, [("Region", "name"), ("Status", "status"), ("Services", "services"),
                        ("Identity", "identity")], fmt=args.format)


def keypair_sync(args):
    if not args.target and not args.all_regions:
        sys.exit("give --target REGION (repeatable) or --all-regions")
    body = {"source_region": args.source, "keypairs": args.names, "force": args.force,
            "target_regions": "all" if args.all_regions else args.target}
    if args.user_id:
        body["user_id"] = args.user_id
    client = client_for(args)
    job = client.post("/v1/keypairs/sync", body)["job"]
    if args.wait:
        job = wait_for(client, job["id"], args.timeout)
    show_job(job, args.format)
    return 0 if job["status"] != "FAILED" else 2


def wait_for(client: AlbatrossClient, job_id: str, timeout: float) -> dict:
    """Poll the job, with a progress bar of finished tasks."""
    deadline = time.monotonic() + timeout
    job = client.get(f"/v1/jobs/{job_id}", tasks_limit=0)["job"]   # counts only
    with Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                  TextColumn("{task.fields[state]}"), TimeElapsedColumn(),
                  console=output.progress_console, transient=False) as progress:
        bar = progress.add_task(f"job {job_id[:8]}",
                                total=sum(job["task_counts"].values()) or 1,
                                state=job["status"])
        while True:
            counts = job["task_counts"]
            progress.update(bar, completed=sum(counts.get(s, 0) for s in TERMINAL),
                            state=job["status"])
            if job["status"] in ("SUCCESS", "FAILED") or time.monotonic() > deadline:
                break
            time.sleep(0.5)
            job = client.get(f"/v1/jobs/{job_id}", tasks_limit=0)["job"]
    return client.get(f"/v1/jobs/{job_id}")["job"]   # with its tasks, to be shown


def job_list(args):
    params = {"all_projects": str(args.all_projects).lower(), "active": str(args.active).lower()}
    jobs = client_for(args).get("/v1/jobs", **params)["jobs"]
    output.table([{**j, "tasks": _task_summary(j)} for j in jobs], JOB_COLUMNS,
                 fmt=args.format)


def job_show(args):
    show_job(client_for(args).get(f"/v1/jobs/{args.job_id}")["job"], args.format)


def job_wait(args):
    job = wait_for(client_for(args), args.job_id, args.timeout)
    show_job(job, args.format)
    return {"SUCCESS": 0, "FAILED": 2}.get(job["status"], 3)


def job_retry(args):
    client = client_for(args)
    job = client.post(f"/v1/jobs/{args.job_id}/retry")["job"]
    if args.wait:
        job = wait_for(client, job["id"], args.timeout)
    show_job(job, args.format)


def job_delete(args):
    client_for(args).delete(f"/v1/jobs/{args.job_id}")
    print(f"job {args.job_id} deleted")


def add_common_options(p):
    p.add_argument("--os-cloud", help="clouds.yaml entry (default: OS_CLOUD or OS_* variables)")
    p.add_argument("--url", help="Albatross API URL (default: ALBATROSS_URL or the catalog)")
    p.add_argument("-f", "--format", choices=["table", "json"], default="table")


def handle_errors(func):
    def wrapper(args):
        try:
            return func(args)
        except ApiError as exc:
            output.console.print(f"[red]error:[/red] {exc}")
            return 1
        except ks_exc.ClientException as exc:  # Keystone or the API unreachable, bad auth
            output.console.print(f"[red]error:[/red] {type(exc).__name__}: {exc}")
            return 1
        except sdk_exc.ConfigException as exc:  # no such cloud in clouds.yaml, etc.
            output.console.print(f"[red]error:[/red] {exc}")
            return 2
        except ValueError as exc:  # a malformed option value (argparse types included)
            output.console.print(f"[red]error:[/red] {exc}")
            return 2
    return wrapper


def work_item_list(args):
    query = {"active": str(args.active).lower(), "limit": args.limit,
             **{k: v for k, v in (("kind", args.kind), ("key", args.key)) if v}}
    found = client_for(args).get("/v1/work-items", **query)
    output.table(found["items"], [
        ("Kind", "kind"), ("Key", "key"), ("Status", "status"), ("Due", "due_at"),
        ("Failed runs", "attempts"), ("Last started", "started_at"),
        ("Last ended", "finished_at"), ("Error", "last_error")], fmt=args.format,
        title=f"{found['queued_or_running']} queued or running")


def register(sub):
    region = sub.add_parser("region", help="regions").add_subparsers(dest="action",
                                                                     required=True)
    p = region.add_parser("list", help="regions and the health of their endpoints")
    p.add_argument("--no-health", action="store_true", help="skip the endpoint probes")
    add_common_options(p)
    p.set_defaults(func=handle_errors(region_list))

    keypair = sub.add_parser("keypair", help="keypairs").add_subparsers(dest="action",
                                                                        required=True)
    p = keypair.add_parser("sync", help="copy keypairs to other regions")
    p.add_argument("names", nargs="+", metavar="NAME")
    p.add_argument("--source", required=True, help="region that has the keypairs")
    p.add_argument("--target", action="append", help="target region (repeatable)")
    p.add_argument("--all-regions", action="store_true", help="every region but the source")
    p.add_argument("--force", action="store_true", help="replace different keys of that name")
    p.add_argument("--user-id", help="admin: copy this user's keypairs")
    p.add_argument("--wait", action="store_true", help="wait for the job, with progress")
    p.add_argument("--timeout", type=float, default=600)
    add_common_options(p)
    p.set_defaults(func=handle_errors(keypair_sync))

    item = sub.add_parser("work-item", help="admin: the controllers' work queue") \
        .add_subparsers(dest="action", required=True)
    p = item.add_parser("list", help="what each controller has queued, running or idle")
    p.add_argument("--kind", help="one controller's items")
    p.add_argument("--key", help="one object's item (a project, policy or rollout id)")
    p.add_argument("--active", action="store_true", help="only queued and running items")
    p.add_argument("--limit", type=int, default=100)
    add_common_options(p)
    p.set_defaults(func=handle_errors(work_item_list))

    job = sub.add_parser("job", help="jobs").add_subparsers(dest="action", required=True)
    p = job.add_parser("list", help="jobs of your project")
    p.add_argument("--all-projects", action="store_true", help="admin: every project")
    p.add_argument("--active", action="store_true", help="only unfinished jobs")
    add_common_options(p)
    p.set_defaults(func=handle_errors(job_list))
    for name, func, text in (("show", job_show, "a job and its tasks"),
                             ("wait", job_wait, "wait for a job, with a progress bar"),
                             ("retry", job_retry, "run a job's failed tasks again"),
                             ("delete", job_delete, "forget a finished job")):
        p = job.add_parser(name, help=text)
        p.add_argument("job_id")
        if name in ("wait", "retry"):
            p.add_argument("--timeout", type=float, default=600)
        if name == "retry":
            p.add_argument("--wait", action="store_true")
        add_common_options(p)
        p.set_defaults(func=handle_errors(func))
