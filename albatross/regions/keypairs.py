"""Nova keypairs for keypair sync, through openstacksdk's compute proxy; a user's keypairs
are named with `user_id` (compute microversion 2.10)."""
from dataclasses import dataclass

from openstack import exceptions as sdk_exc


def get_keypair(conn, name: str, user_id: str):
    """The user's keypair of that name, None if there is none."""
    try:
        return conn.compute.get_keypair(name, user_id=user_id)
    except sdk_exc.NotFoundException:
        return None


@dataclass(frozen=True)
class ListedKeypair:
    name: str
    public_key: str
    type: str | None
    fingerprint: str | None


def list_keypairs(conn, user_id: str) -> list[ListedKeypair]:
    """Every keypair of the user in one region (one call: the list carries the keys),
    through the compute proxy but read as Nova sent it: openstacksdk builds a Resource per
    keypair, about 0.5 ms of CPU each, most of an audit's cost over thousands of regions.
    Microversion 2.10 (a user's keypairs) lists without pages, as openstacksdk does."""
    resp = conn.compute.get("/os-keypairs", params={"user_id": user_id},
                            microversion="2.10")
    sdk_exc.raise_from_response(resp)
    return [ListedKeypair(kp.get("name"), kp.get("public_key"), kp.get("type"),
                          kp.get("fingerprint"))
            for kp in (item["keypair"] for item in resp.json().get("keypairs", []))]


def create_keypair(conn, *, name: str, public_key: str, type: str, user_id: str):
    """The keypair made (a Conflict: one of that name exists)."""
    return conn.compute.create_keypair(name=name, public_key=public_key, type=type,
                                       user_id=user_id)


def delete_keypair(conn, name: str, user_id: str) -> None:
    conn.compute.delete_keypair(name, ignore_missing=True, user_id=user_id)
