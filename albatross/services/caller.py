"""Who is asking: what the service layer needs to know of a request's Keystone identity."""
from dataclasses import dataclass, field

from albatross.exceptions import Forbidden
from albatross.regions.delegation import Authority


@dataclass(frozen=True)
class Caller:
    user_id: str
    project_id: str
    roles: tuple[str, ...] = field(default_factory=tuple)
    is_admin: bool = False
    request_id: str | None = None  # this request's own (local) id
    global_request_id: str | None = None  # the client's X-OpenStack-Request-ID, when valid
    # the request's validated Keystone token: the authority of writes made inside the request
    # and of the trusts made for work that outlives it. Never printed, compared or stored.
    token: str | None = field(default=None, repr=False, compare=False)

    @property
    def global_id(self) -> str | None:
        """The id the regions' calls send and the jobs keep (oslo.context's global_id): the
        client's if it gave one, else this request's."""
        return self.global_request_id or self.request_id

    @property
    def authority(self) -> Authority:
        """The request's own authority (its token), for region calls made inside it."""
        if not self.token:
            raise Forbidden("this request carries no token of the user to act with",
                            field="X-Auth-Token")
        return Authority(self.user_id, self.project_id, token=self.token)
