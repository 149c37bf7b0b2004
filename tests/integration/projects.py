"""Throwaway Keystone projects (with member users) for integration tests that change quotas
or create resources: every test gets its own and removes it, its resources and its quota rows
in every region at the end."""
import uuid

import openstack
import openstack.config
import pytest
import requests
from keystoneauth1 import exceptions as ks_exc
from keystoneauth1 import session as ks_session
from keystoneauth1.identity import v3

from albatross.devcloud import DevCloud
from tests.answers import check_requests


def connect_cloud() -> dict:
    """The running dev cloud's info (never brought up here) and one connection per region as
    the service account (devcloud-albatross, admin), as Albatross itself connects."""
    info = DevCloud().info()
    config = openstack.config.OpenStackConfig(config_files=[info["clouds_yaml"]])
    info["conns"] = {r: openstack.connection.Connection(
        config=config.get_one(cloud="devcloud-albatross", region_name=r))
        for r in info["regions"]}
    info["identity"] = info["conns"][info["regions"][0]].identity
    info["member_role"] = info["identity"].find_role("member", ignore_missing=False)
    return info


@pytest.fixture(scope="module")
def cloud() -> dict:
    return connect_cloud()


class Project:
    """A throwaway Keystone project; `cleanups` run last-first before it is deleted."""

    def __init__(self, cloud: dict):
        self.cloud, self.tag = cloud, f"rq-{uuid.uuid4().hex[:10]}"
        self.id = cloud["identity"].create_project(name=self.tag, domain_id="default").id
        self.cleanups: list = []
        self.user_ids: list[str] = []

    def member(self, via_group: bool = False):
        """A new user with the member role on the project (directly, or through a new group);
        returns (user_id, connect(region) -> Connection as that user)."""
        idn, name = self.cloud["identity"], f"{self.tag}-{len(self.user_ids)}"
        user = idn.create_user(name=name, password=self.cloud["password"], domain_id="default")
        self.user_ids.append(user.id)
        if via_group:
            group = idn.create_group(name=name, domain_id="default")
            self.cleanups.append(lambda: idn.delete_group(group.id))
            idn.add_user_to_group(user.id, group.id)
            idn.assign_project_role_to_group(self.id, group.id, self.cloud["member_role"])
        else:
            idn.assign_project_role_to_user(self.id, user.id, self.cloud["member_role"])
        auth = v3.Password(auth_url=self.cloud["auth_url"], user_id=user.id,
                           password=self.cloud["password"], project_id=self.id)
        sess = ks_session.Session(auth=auth)
        return user.id, lambda region: openstack.connection.Connection(
            session=sess, region_name=region)

    def api_member(self, base_url: str) -> "ApiUser":
        """A new member of the project with a token for the Albatross API."""
        user_id, connect = self.member()
        auth = v3.Password(auth_url=self.cloud["auth_url"], user_id=user_id,
                           password=self.cloud["password"], project_id=self.id)
        return ApiUser(base_url, ks_session.Session(auth=auth), connect)

    def _clean_region(self, conn) -> None:
        for uid in self.user_ids:      # key pairs outlive their user in Nova
            for kp in list(conn.compute.keypairs(user_id=uid)):
                conn.compute.delete_keypair(kp.name, user_id=uid)
        conn.network.delete_quota(self.id)  # first: listing may create a default group
        for fip in list(conn.network.ips(project_id=self.id)):
            conn.network.delete_ip(fip)
        for port in list(conn.network.ports(project_id=self.id)):
            conn.network.delete_port(port)
        for net in list(conn.network.networks(project_id=self.id)):
            conn.network.delete_network(net)   # its subnets go with it
        for sg in list(conn.network.security_groups(project_id=self.id)):
            conn.network.delete_security_group(sg)   # Neutron's auto-made default
        for ag in list(conn.network.address_groups(project_id=self.id)):
            conn.network.delete_address_group(ag)
        for img in [*conn.image.images(owner=self.id),
                    *conn.image.images(owner=self.id, is_hidden=True)]:
            if img.is_protected:
                conn.image.update_image(img, is_protected=False)
            conn.image.delete_image(img)
        conn.compute.revert_quota_set(self.id)
        conn.block_storage.revert_quota_set(self.id)

    def destroy(self) -> None:
        errors = []
        for fn in reversed(self.cleanups):
            try:
                fn()
            except Exception as exc:  # keep cleaning; report at the end
                errors.append(exc)
        for conn in self.cloud["conns"].values():
            try:
                self._clean_region(conn)
            except ks_exc.ConnectFailure:
                continue  # a service a fault test stopped: nothing can be cleaned there
            except Exception as exc:
                errors.append(exc)
        for uid in self.user_ids:
            self.cloud["identity"].delete_user(uid, ignore_missing=True)
        self.cloud["identity"].delete_project(self.id)
        assert not errors, errors


class ApiUser:
    """A throwaway project's member: the Albatross API with their token, and Neutron/Nova
    connections per region as them."""

    def __init__(self, base_url: str, session, connect):
        self.base_url, self.session, self._connect = base_url, session, connect
        self.token = session.get_token()
        self.project_id = session.get_project_id()
        self._conns: dict = {}

    def conn(self, region: str):
        if region not in self._conns:
            self._conns[region] = self._connect(region)
        return self._conns[region]

    def call(self, method: str, path: str, **kwargs) -> requests.Response:
        headers = {"X-Auth-Token": self.token, **kwargs.pop("headers", {})}
        resp = requests.request(method, self.base_url + path, headers=headers, timeout=60,
                                **kwargs)
        check_requests(method, resp)
        return resp


@pytest.fixture
def project(cloud):
    p = Project(cloud)
    yield p
    p.destroy()
