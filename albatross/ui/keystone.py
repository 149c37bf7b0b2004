"""Logging a dashboard user in with Keystone: password or an existing token, first unscoped to
list the user's projects, then scoped to the chosen one. keystoneauth1 does the HTTP."""
import datetime
from dataclasses import dataclass

from keystoneauth1 import exceptions as ks_exc
from keystoneauth1 import session as ks_session
from keystoneauth1.identity import v3


class LoginFailed(Exception):
    """Shown on the login form; never carries a password or token."""


@dataclass
class Login:
    user_id: str
    user_name: str
    project_id: str
    project_name: str
    roles: list
    token: str
    unscoped: str
    projects: list          # [{"id", "name"}], sorted by name
    expires_at: datetime.datetime  # naive UTC


def v3_url(url: str) -> str:
    url = url.rstrip("/")
    return url if url.endswith("/v3") else url + "/v3"


def _naive_utc(when: datetime.datetime) -> datetime.datetime:
    if when.tzinfo is not None:
        when = when.astimezone(datetime.UTC).replace(tzinfo=None)
    return when


class Keystone:
    def __init__(self, auth_url: str, timeout: float = 10.0):
        self.auth_url = v3_url(auth_url)
        self.timeout = timeout

    def _access(self, plugin):
        sess = ks_session.Session(auth=plugin, timeout=self.timeout)
        try:
            return sess, plugin.get_access(sess)
        except ks_exc.Unauthorized:
            raise LoginFailed("The user name, password or token was not accepted.")
        except ks_exc.Forbidden:
            raise LoginFailed("Keystone refused that project for this user.")
        except (ks_exc.ConnectFailure, ks_exc.ConnectTimeout, ks_exc.DiscoveryFailure):
            raise LoginFailed("Keystone cannot be reached; try again later.")
        except ks_exc.ClientException as exc:
            raise LoginFailed(f"Keystone refused the login ({type(exc).__name__}).")

    def _projects(self, sess, plugin) -> list[dict]:
        try:
            resp = sess.get(self.auth_url + "/auth/projects", auth=plugin,
                            raise_exc=True)
        except ks_exc.ClientException:
            return []
        projects = [{"id": p["id"], "name": p["name"]}
                    for p in resp.json().get("projects", []) if p.get("enabled", True)]
        return sorted(projects, key=lambda p: (p["name"].lower(), p["id"]))

    def login(self, *, username: str = "", password: str = "", domain: str = "Default",
              token: str = "", project: str = "") -> Login:
        """Authenticate, then scope to `project` (a name or id among the user's projects;
        the first of them when empty)."""
        if token:
            unscoped_plugin = v3.Token(self.auth_url, token=token, unscoped=True)
        else:
            unscoped_plugin = v3.Password(self.auth_url, username=username, password=password,
                                          user_domain_name=domain, unscoped=True)
        sess, access = self._access(unscoped_plugin)
        projects = self._projects(sess, unscoped_plugin)
        return self.scope(access.auth_token, projects, project)

    def scope(self, unscoped_token: str, projects: list[dict], project: str) -> Login:
        if not projects:
            raise LoginFailed("This user has no role on any project.")
        wanted = project.strip()
        chosen = projects[0] if not wanted else next(
            (p for p in projects if wanted in (p["id"], p["name"])), None)
        if chosen is None:
            raise LoginFailed(f"The user has no role on a project named {wanted!r}.")
        plugin = v3.Token(self.auth_url, token=unscoped_token, project_id=chosen["id"])
        _sess, access = self._access(plugin)
        return Login(user_id=access.user_id, user_name=access.username,
                     project_id=access.project_id, project_name=access.project_name,
                     roles=sorted(access.role_names), token=access.auth_token,
                     unscoped=unscoped_token, projects=projects,
                     expires_at=_naive_utc(access.expires))
