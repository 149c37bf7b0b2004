"""Who is asking: what the service layer needs to know of a request's Keystone identity."""
from dataclasses import dataclass, field
from typing import Callable

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
    # whether the rule of the route that took the request lets the caller act on a given
    # project's objects (bound by the router from the route table; see `allows`)
    scope: Callable[[str | None], bool] | None = field(default=None, repr=False,
                                                      compare=False)

    def allows(self, project_id: str | None) -> bool:
        """May the caller act on objects of `project_id` (None: of every project)? The
        route's policy rule decides; the service's own callers (periodic work, waves acting
        for their user) act on their own project, or on any if they act as an admin."""
        if self.scope is not None:
            return self.scope(project_id)
        return self.is_admin or (project_id is not None and project_id == self.project_id)

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
