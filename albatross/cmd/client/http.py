"""A keystoneauth session from clouds.yaml or OS_* variables, and the Albatross endpoint from
the catalog (service type multi-region) unless --url says otherwise."""
import json
import os

import openstack.config

SERVICE_TYPE = "multi-region"


class ApiError(Exception):
    def __init__(self, status: int, message: str, field: str | None = None):
        super().__init__(f"HTTP {status}: {message}" + (f" (field: {field})" if field else ""))
        self.status = status


def raise_for_error(resp) -> None:
    """An answer of 400 or more as ApiError, with the API's message and field when it sent
    its JSON error."""
    if resp.status_code < 400:
        return
    try:
        err = resp.json()["error"]
        raise ApiError(resp.status_code, err.get("message", ""), err.get("field"))
    except (ValueError, KeyError, TypeError):
        raise ApiError(resp.status_code, resp.text[:500])


class AlbatrossClient:
    def __init__(self, cloud: str | None = None, url: str | None = None,
                 region: str | None = None):
        cloud = cloud or os.environ.get("OS_CLOUD")
        cloud_region = openstack.config.OpenStackConfig().get_one(cloud=cloud,
                                                                  region_name=region)
        self.session = cloud_region.get_session()
        self.url = (url or os.environ.get("ALBATROSS_URL") or self.session.get_endpoint(
            service_type=SERVICE_TYPE, interface="public")).rstrip("/")

    def request(self, method: str, path: str, body=None, params=None, text: bool = False):
        resp = self.session.request(self.url + path, method, json=body, params=params,
                                    raise_exc=False,
                                    headers={"Accept": "*/*" if text else "application/json"})
        raise_for_error(resp)
        if resp.status_code == 204 or not resp.content:
            return None
        return resp.text if text else json.loads(resp.content)

    def get(self, path, **params):
        return self.request("GET", path, params=params or None)

    def get_text(self, path, **params) -> str:
        """A non-JSON answer (e.g. a CSV export), as text."""
        return self.request("GET", path, params=params or None, text=True)

    def put(self, path, body=None):
        return self.request("PUT", path, body=body)

    def post(self, path, body=None):
        return self.request("POST", path, body=body)

    def delete(self, path):
        return self.request("DELETE", path)
