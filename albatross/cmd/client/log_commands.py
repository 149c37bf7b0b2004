"""`albatross logs`: search and follow the service logs of every region (admin);
`albatross agent`: ship log files to Albatross."""
import datetime
import json
import logging
import re
import signal
import sys

from rich.markup import escape

from albatross.cmd.client import output
from albatross.cmd.client.commands import add_common_options, client_for, handle_errors
from albatross.cmd.client.http import raise_for_error

LOG = logging.getLogger(__name__)
_AGO = re.compile(r"^(\d+)([smhd])$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}
LEVEL_STYLE = {"WARNING": "yellow", "ERROR": "red", "CRITICAL": "bold red", "DEBUG": "dim"}
COLUMNS = [("Time", "time"), ("Region", "region"), ("Service", "service"), ("Host", "host"),
           ("Level", "level"), ("Request", "request"), ("Message", "message")]


def since_time(value: str) -> str:
    """`1h`, `30m`, `2d`, `45s` ago, or an ISO 8601 time, as ISO 8601 UTC."""
    m = _AGO.match(value.strip())
    if m is None:
        return value
    delta = datetime.timedelta(**{_UNITS[m[2]]: int(m[1])})
    return (datetime.datetime.now(datetime.UTC) - delta).strftime("%Y-%m-%dT%H:%M:%SZ")


def _filters(args) -> dict:
    params = {"region": args.region, "service": args.service, "host": args.host,
              "level": args.level, "request_id": args.request_id, "q": args.q}
    return {k: v for k, v in params.items() if v}


def _row(line: dict) -> dict:
    """A line for the terminal: rich markup escaped (log lines are full of [brackets]), the
    level coloured, the local request id (oslo.log names the global one first)."""
    style = LEVEL_STYLE.get(line["level"])
    return {**{k: escape(line[k]) for k in ("region", "service", "host", "message")},
            "time": line["time"].replace("T", " ").rstrip("Z")[:23],
            "level": f"[{style}]{line['level']}[/{style}]" if style else line["level"],
            "request": " ".join(line["request_ids"][-1:])}


def _print_line(line: dict) -> None:
    row = _row(line)
    output.console.print(" ".join(row[k] for _h, k in COLUMNS), highlight=False,
                         soft_wrap=True)


def logs_search(args):
    client = client_for(args)
    params = _filters(args)
    if args.since:
        params["start"] = since_time(args.since)
    if args.until:
        params["end"] = since_time(args.until)
    lines, cursor = [], None
    while len(lines) < args.limit:
        page = client.get("/v1/logs", **params, limit=min(args.limit - len(lines), 1000),
                          **({"cursor": cursor} if cursor else {}))
        lines += page["logs"]
        cursor = page["next"]
        if cursor is None:
            break
    lines.reverse()  # oldest first: the newest line ends up next to the prompt
    if args.format == "json":
        output.table(lines, [], fmt="json")
    elif not args.follow:
        output.table([_row(line) for line in lines], COLUMNS, title="Logs")
    else:
        for line in lines:
            _print_line(line)
    if args.follow:
        _follow(client, _filters(args), str(lines[-1]["id"]) if lines else None, args.format)
    return 0


def _follow(client, params: dict, last_id: str | None, fmt: str) -> None:
    """The live tail, reconnecting (with Last-Event-ID) whenever the server ends it."""
    while True:
        headers = {"Accept": "text/event-stream"}
        if last_id:
            headers["Last-Event-ID"] = last_id
        resp = client.session.request(client.url + "/v1/logs/stream", "GET", params=params,
                                      headers=headers, stream=True, raise_exc=False)
        raise_for_error(resp)
        for raw in resp.iter_lines(decode_unicode=True):
            if raw.startswith("id: "):
                last_id = raw[4:]
            elif raw.startswith("data: "):
                line = json.loads(raw[6:])
                if fmt == "json":
                    print(json.dumps(line), flush=True)
                else:
                    _print_line(line)


def run_agent(args):
    from albatross.logs import agent
    try:
        cfg = agent.load_config(
            args.agent_config, url=args.url, token_file=args.token_file, os_cloud=args.os_cloud,
            host=args.host, position_file=args.position_file, start_at=args.start_at,
            timezone=args.timezone,
            files=[agent.parse_file_option(f) for f in args.file or ()])
        post = agent.http_post(cfg)
    except (ValueError, OSError) as exc:
        sys.exit(str(exc))
    runner = agent.Agent(cfg, post)
    signal.signal(signal.SIGTERM, lambda *_: runner.stop.set())
    LOG.info("following %s; shipping to %s", ", ".join(f.path for f in cfg.files),
             cfg.url or "the catalog's Albatross")
    try:
        shipped = runner.run(once=args.once)
    finally:
        runner.close()
    LOG.info("shipped %d log lines", shipped)
    return 0


def register(sub):
    p = sub.add_parser("logs", help="admin: service logs of every region (newest last)")
    p.add_argument("--region")
    p.add_argument("--service", help="e.g. glance, nova")
    p.add_argument("--host")
    p.add_argument("--level", choices=["TRACE", "DEBUG", "INFO", "WARNING", "ERROR",
                                       "CRITICAL"], help="this level and the ones above")
    p.add_argument("--request-id", help="req-<uuid>: one request, in every region")
    p.add_argument("-q", help='full text: words (all must match), "a phrase", prefix*')
    p.add_argument("--since", help="1h, 30m, 2d or an ISO 8601 time")
    p.add_argument("--until", help="1h, 30m, 2d or an ISO 8601 time")
    p.add_argument("--limit", type=int, default=50, help="most lines shown (default 50)")
    p.add_argument("--follow", action="store_true", help="then print new lines as they come")
    add_common_options(p)
    p.set_defaults(func=handle_errors(logs_search))

    p = sub.add_parser("agent", help="follow log files and ship them to Albatross")
    p.add_argument("--config", dest="agent_config", metavar="AGENT_YAML",
                   help="agent.yaml (see docs/logs.md); options below override it")
    p.add_argument("--url", help="Albatross API URL (default: the catalog's)")
    p.add_argument("--token-file", help="file holding the [logs] ingest_token "
                                        "(or ALBATROSS_INGEST_TOKEN; else --os-cloud)")
    p.add_argument("--os-cloud", help="clouds.yaml entry of an admin (without a token)")
    p.add_argument("--file", action="append", metavar="REGION:SERVICE:PATH",
                   help="a file or glob to follow (repeatable)")
    p.add_argument("--host", help="host name the lines are attributed to (default: this)")
    p.add_argument("--position-file", help="where positions are kept across restarts")
    p.add_argument("--start-at", choices=["end", "beginning"],
                   help="where to start in a file not in the position file (default end)")
    p.add_argument("--timezone", help="zone of the files' times (default: this machine's)")
    p.add_argument("--once", action="store_true", help="ship what is there, then exit")
    p.set_defaults(func=run_agent)
