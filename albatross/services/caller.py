"""Who is asking: what the service layer needs to know of a request's Keystone identity."""
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Caller:
    user_id: str
    project_id: str
    roles: tuple[str, ...] = field(default_factory=tuple)
    is_admin: bool = False
    request_id: str | None = None
