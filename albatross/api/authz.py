"""Who may call a route, declared with the route: its rule, the project that rule is checked
against (from the URL, the query or the body), the further rules a request needs when it asks
for more (every project, another user's keypairs), and what a handler may learn from policy
(`grants`). The router applies all of it; handlers and services hold no rule names, so every
rule in policy.yaml governs exactly the routes that declare it."""
from dataclasses import dataclass
from typing import Callable


@dataclass(frozen=True)
class Target:
    """Where the project a route's rule is checked against comes from: `caller` (the token's
    project), or a `path`, `query` or `body` field (the token's project when absent)."""
    source: str = "caller"
    name: str | None = None

    @property
    def needs_input(self) -> bool:
        """Known only once the query or body is validated."""
        return self.source in ("query", "body")

    def project(self, caller, params: dict, query: dict, body) -> str:
        value = None
        if self.source == "path":
            value = params[self.name]
        elif self.source == "query":
            value = query.get(self.name)
        elif self.source == "body" and isinstance(body, dict):
            value = body.get(self.name)
        return value or caller.project_id


CALLER = Target()


def path(name: str) -> Target:
    return Target("path", name)


def query(name: str) -> Target:
    return Target("query", name)


def body(name: str) -> Target:
    return Target("body", name)


@dataclass(frozen=True)
class When:
    """A further rule, checked (against the route's target) only when `applies` holds for the
    validated request: e.g. all_projects=true needs the rule for every project's objects."""
    rule: str
    applies: Callable[[object], bool]
    describes: str   # for the reader of the route table and the OpenAPI document


def flag(name: str) -> Callable[[object], bool]:
    """A true query or body field of that name."""
    def applies(req) -> bool:
        source = req.query if name in req.query else (req.body or {})
        return isinstance(source, dict) and bool(source.get(name))
    return applies


def other_user(name: str) -> Callable[[object], bool]:
    """A body field naming a user other than the caller."""
    def applies(req) -> bool:
        value = (req.body or {}).get(name) if isinstance(req.body, dict) else None
        return bool(value) and value != req.caller.user_id
    return applies


def all_when(rules, req) -> list[str]:
    """The further rules this request needs."""
    return [w.rule for w in rules if w.applies(req)]
