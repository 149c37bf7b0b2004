"""Who is asking: what the service layer needs to know of a request's Keystone identity."""
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Caller:
    user_id: str
    project_id: str
    roles: tuple[str, ...] = field(default_factory=tuple)
    is_admin: bool = False
    request_id: str | None = None  # this request's own (local) id
    global_request_id: str | None = None  # the client's X-OpenStack-Request-ID, when valid

    @property
    def global_id(self) -> str | None:
        """The id the regions' calls send and the jobs keep (oslo.context's global_id): the
        client's if it gave one, else this request's."""
        return self.global_request_id or self.request_id
