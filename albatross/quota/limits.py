"""Which global limit applies: the project's own value, else its quota class's, else the
class `default`, else the built-in default. -1 means unlimited and stays unlimited."""
from collections.abc import Mapping

from albatross.quota.resources import RESOURCES, UNLIMITED


def effective_limits(project: Mapping[str, int], klass: Mapping[str, int],
                     default_class: Mapping[str, int]) -> dict[str, int]:
    out = {}
    for name, resource in RESOURCES.items():
        for layer in (project, klass, default_class):
            if name in layer:
                out[name] = layer[name]
                break
        else:
            out[name] = resource.default
    return out


def validate_limit(name: str, value) -> str | None:
    """None if fine, else what is wrong (for a 400 naming the key)."""
    if name not in RESOURCES:
        return f"unknown resource {name!r}; known: {', '.join(sorted(RESOURCES))}"
    if isinstance(value, bool) or not isinstance(value, int):
        return f"{name} must be an integer"
    if value < UNLIMITED:
        return f"{name} must be -1 (unlimited) or a number of at least 0"
    return None


def remaining(limit: int, used: int) -> int | None:
    """Headroom left under a global limit; None when unlimited."""
    return None if limit == UNLIMITED else limit - used
