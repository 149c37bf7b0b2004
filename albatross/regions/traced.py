"""Connections whose calls carry the request id (request_ids.py): the one per region sends
the id of the context each call runs in (an API request's scope, a task's, fan_out's threads
inherit it), so no copy per region and request is made in the usual case; a copy bound to
another id remains for a caller that names one outside its scope."""
from openstack import connection as sdk_connection

from albatross import request_ids


class TracedConnection(sdk_connection.Connection):
    """openstacksdk reads `_global_request_id` at every call: here it is the id set on this
    connection (a copy's), else the current context's."""
    _fixed_request_id: str | None = None

    @property
    def _global_request_id(self) -> str | None:
        return self._fixed_request_id or request_ids.current()

    @_global_request_id.setter
    def _global_request_id(self, value: str | None) -> None:
        self._fixed_request_id = value


def traced_copy(conn: sdk_connection.Connection, request_id: str,
                overrides: dict[str, str] | None = None) -> sdk_connection.Connection:
    """`conn` sending `request_id` whatever the context: a copy sharing its keystoneauth
    session (its token, pooled HTTP connections and version discovery cache).

    openstacksdk closes a connection's session when the connection object is collected (a
    weakref finalizer); a copy shares the registry's session, so that would drop the pooled
    HTTP connections of every region. A copy must never close it: its finalizer goes.

    The copy takes the endpoints as the catalog gave them (`overrides`): openstacksdk
    rewrites a connection's endpoint override to the versioned URL it discovered there
    (Glance's .../v2/), which is no place to discover anything from again."""
    for attempt in range(3):
        try:
            copy = conn.global_request(request_id)
            break
        except RuntimeError:   # "dictionary changed size during iteration"
            # openstacksdk writes what it discovered into the connection's config while
            # another thread's call runs; copying it then meets the change (seen at 1,000
            # regions' image uploads): the next try copies the settled dict
            if attempt == 2:
                raise
    copy.config.config.update(overrides or {})
    finalizer = getattr(copy, "_finalizer", None)
    if finalizer is not None:
        finalizer.detach()
    return copy
