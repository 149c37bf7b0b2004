"""From an oslo.messaging notification to the fields an event is searched by. Pure.

Services fill their notifications differently: the project and user are in the context
(`project_id`/`tenant`, `user_id`/`user`) or only in the payload (`tenant_id`, `project_id`,
`owner`); Keystone's basic format names the resource in `resource_info`. Payload keys that
look like secrets are masked before anything is stored."""
from dataclasses import dataclass

MAX_PAYLOAD = 16_000   # characters of JSON kept per event
SECRET_WORDS = ("password", "token", "secret", "credential", "private_key", "admin_pass")
_PROJECT_KEYS = ("project_id", "tenant_id", "owner", "project")
_RESOURCE_KEYS = ("id", "instance_id", "resource_id", "resource_info", "volume_id",
                  "snapshot_id")
_NAME_KEYS = ("name", "display_name", "hostname")


@dataclass(frozen=True)
class EventFields:
    service: str
    event_type: str
    project_id: str | None
    user_id: str | None
    request_id: str | None
    resource_id: str | None
    summary: str
    payload: dict
    owner_id: str | None = None   # the project that owns the resource (an admin may act)


def masked(value, depth: int = 0):
    """A copy with secret-looking values replaced (nested dicts and lists too)."""
    if depth > 8:
        return "..."
    if isinstance(value, dict):
        return {k: "***" if any(w in str(k).lower() for w in SECRET_WORDS)
                else masked(v, depth + 1) for k, v in value.items()}
    if isinstance(value, list):
        return [masked(v, depth + 1) for v in value[:200]]
    return value


def _inner(payload: dict) -> dict:
    """Neutron wraps the object: {"port": {...}}; the others put it at the top."""
    if len(payload) == 1:
        (only,) = payload.values()
        if isinstance(only, dict):
            return only
    return payload


def _first(d: dict, keys) -> str | None:
    for key in keys:
        value = d.get(key)
        if isinstance(value, str) and value:
            return value
    return None


def extract(ctxt: dict, publisher_id: str, event_type: str, payload) -> EventFields:
    ctxt = ctxt or {}
    payload = payload if isinstance(payload, dict) else {"value": payload}
    inner = _inner(payload)
    service = (publisher_id or event_type).split(".", 1)[0] or "unknown"
    project = _first(ctxt, ("project_id", "tenant", "project")) or _first(inner, _PROJECT_KEYS)
    if project is None:
        project = _first(payload, _PROJECT_KEYS)
    user = _first(ctxt, ("user_id", "user")) or _first(inner, ("user_id",))
    request = _first(ctxt, ("request_id", "global_request_id"))
    resource = _first(inner, _RESOURCE_KEYS)
    name = _first(inner, _NAME_KEYS)
    summary = " ".join(x for x in (event_type, name, resource) if x)
    return EventFields(service, event_type, project, user, request, resource, summary[:1000],
                       masked(payload), _owner(payload, inner) or project)


def _owner(payload: dict, inner: dict) -> str | None:
    """The resource's own project: in the object (Neutron wraps it, and a delete puts it
    beside the id: {"network_id": ..., "network": {...}}), else at the top."""
    for d in (inner, *(v for v in payload.values() if isinstance(v, dict)), payload):
        found = _first(d, _PROJECT_KEYS)
        if found:
            return found
    return None
