"""Readable tables (rich) or JSON for scripts."""
import json

from rich.console import Console
from rich.table import Table

console = Console()
progress_console = Console(stderr=True)  # progress never mixes with -f json on stdout
STATUS_STYLE = {"SUCCESS": "green", "FAILED": "red", "RUNNING": "yellow", "QUEUED": "cyan",
                "SKIPPED": "dim", "up": "green", "down": "red", "degraded": "yellow"}


def styled(value) -> str:
    text = "" if value is None else str(value)
    style = STATUS_STYLE.get(text)
    return f"[{style}]{text}[/{style}]" if style else text


def table(rows: list[dict], columns: list[tuple[str, str]], title: str | None = None,
          fmt: str = "table"):
    if fmt == "json":
        print(json.dumps(rows, indent=2))
        return
    t = Table(title=title, show_lines=False)
    for header, _key in columns:
        t.add_column(header, overflow="fold")
    for row in rows:
        t.add_row(*[styled(row.get(key)) for _h, key in columns])
    console.print(t)


def fields(obj: dict, keys: list[str], fmt: str = "table"):
    if fmt == "json":
        print(json.dumps(obj, indent=2))
        return
    t = Table(show_header=True)
    t.add_column("Field")
    t.add_column("Value", overflow="fold")
    for k in keys:
        v = obj.get(k)
        t.add_row(k, styled(json.dumps(v) if isinstance(v, (dict, list)) else v))
    console.print(t)
