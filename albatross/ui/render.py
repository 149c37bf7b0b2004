"""Jinja2 with autoescaping on for every template: a name a user chose (a security group
called `<script>`) is always text. Filters for what tables show (times, sizes, percents)."""
import contextvars
import datetime
import os

import jinja2

TEMPLATES = os.path.join(os.path.dirname(__file__), "templates")
# The session's CSRF token while a page renders. Macros imported with `{% from ... import %}`
# do not see the page's context (no `session`), so `csrf()` reads it from here.
CURRENT_CSRF: contextvars.ContextVar[str] = contextvars.ContextVar("ui_csrf", default="")


def csrf_token() -> str:
    return CURRENT_CSRF.get()


def _parse(value):
    if isinstance(value, datetime.datetime):
        return value
    if not value:
        return None
    try:
        return datetime.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None


def when(value) -> str:
    """ISO time shown as `2026-11-30 04:12:07 UTC`, the same for every viewer."""
    dt = _parse(value)
    if dt is None:
        return "" if value is None else str(value)
    if dt.tzinfo is not None:
        dt = dt.astimezone(datetime.UTC)
    return dt.strftime("%Y-%m-%d %H:%M:%S UTC")


def size(value) -> str:
    if value is None:
        return ""
    n = float(value)
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if abs(n) < 1024 or unit == "TiB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return str(value)


def percent(value) -> str:
    if value is None:
        return ""
    p = 100 * float(value)
    return "<1%" if 0 < p < 0.5 else f"{p:.0f}%"


def number(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,.1f}"
    return f"{int(value):,}"


def compact(value) -> str:
    """An axis label: 799488 -> 799k, 4000 -> 4k, 1.5e9 -> 1.5G."""
    n = float(value or 0)
    for div, unit in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
        if abs(n) >= div:
            return f"{n / div:.3g}{unit}"
    return f"{n:.3g}"


def limit(value) -> str:
    return "unlimited" if value in (-1, None) else number(value)


@jinja2.pass_context
def can_write(context) -> bool:
    """`page.can_write` of the page being rendered (ui/app.py): whether to show the forms that
    change something. Display only: the API still decides what is allowed. A template
    rendered without a Page (a unit test rendering one partial) shows every form."""
    page = context.get("page")
    return True if page is None else bool(page.can_write)


def make_env() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES),
                             autoescape=True,
                             trim_blocks=True, lstrip_blocks=True)
    env.filters.update(when=when, size=size, percent=percent, number=number, limit=limit,
                       compact=compact)
    env.globals["csrf_token"] = csrf_token
    env.globals["can_write"] = can_write
    return env
