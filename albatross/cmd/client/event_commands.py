"""`albatross events [--follow]`: the project's events from every region, as a table or live."""
import datetime
import json
import re

from albatross.cmd.client import output
from albatross.cmd.client.commands import add_common_options, client_for, handle_errors

COLUMNS = [("Time", "time"), ("Region", "region"), ("Service", "service"),
           ("Type", "event_type"), ("Project", "project_id"), ("User", "user_id"),
           ("Summary", "summary"), ("Request", "request_id")]
_SPAN = re.compile(r"^(\d+)([smhd])$")


def since(text: str) -> str:
    """`15m`, `2h`, `1d` or an ISO time -> an ISO time."""
    m = _SPAN.match(text)
    if not m:
        datetime.datetime.fromisoformat(text)  # ValueError: a clear CLI error
        return text
    seconds = int(m.group(1)) * {"s": 1, "m": 60, "h": 3600, "d": 86400}[m.group(2)]
    start = datetime.datetime.now(datetime.UTC) - datetime.timedelta(seconds=seconds)
    return start.replace(tzinfo=None).isoformat(timespec="seconds")


def _params(args) -> dict:
    params = {k: v for k, v in (("region", args.region), ("service", args.service),
                                ("event_type", args.type), ("request_id", args.request_id),
                                ("q", args.q)) if v}
    if args.all_projects:
        params["all_projects"] = "true"
    if args.since:
        params["start"] = since(args.since)
    return params


def follow(client, params: dict, fmt: str) -> None:
    """Read the server-sent events of the live tail and print each event as it comes."""
    resp = client.session.request(client.url + "/v1/events/stream", "GET", params=params,
                                  stream=True, headers={"Accept": "text/event-stream"})
    for line in resp.iter_lines(decode_unicode=True):
        if line and line.startswith("data: "):
            event = json.loads(line[6:])
            if fmt == "json":
                print(json.dumps(event), flush=True)
            else:
                output.console.print(" ".join(str(event.get(k) or "-") for _h, k in COLUMNS))


def events(args):
    client = client_for(args)
    params = _params(args)
    if args.follow:
        follow(client, {k: v for k, v in params.items() if k != "start"}, args.format)
        return 0
    page = client.get("/v1/events", limit=args.limit, **params)
    output.table(page["events"], COLUMNS, title="Events (newest first)", fmt=args.format)
    return 0


def register(sub):
    p = sub.add_parser("events", help="events from every region and the audit trail")
    p.add_argument("--region")
    p.add_argument("--service", help="e.g. image, network, compute, volume, identity")
    p.add_argument("--type", help="event type, e.g. image.create")
    p.add_argument("--request-id")
    p.add_argument("-q", help="full text: words, \"a phrase\", prefix*")
    p.add_argument("--since", help="15m, 2h, 1d or an ISO time")
    p.add_argument("--limit", type=int, default=50)
    p.add_argument("--all-projects", action="store_true", help="admin: every project")
    p.add_argument("--follow", action="store_true", help="print new events as they come")
    add_common_options(p)
    p.set_defaults(func=handle_errors(events))
