"""Nova keypairs for keypair sync, through openstacksdk's compute proxy; a user's keypairs
are named with `user_id` (compute microversion 2.10)."""
from openstack import exceptions as sdk_exc


def get_keypair(conn, name: str, user_id: str):
    """The user's keypair of that name, None if there is none."""
    try:
        return conn.compute.get_keypair(name, user_id=user_id)
    except sdk_exc.NotFoundException:
        return None


def list_keypairs(conn, user_id: str) -> list:
    """Every keypair of the user in one region (one call: the list carries the keys)."""
    return list(conn.compute.keypairs(user_id=user_id))


def create_keypair(conn, *, name: str, public_key: str, type: str, user_id: str):
    """The keypair made (a Conflict: one of that name exists)."""
    return conn.compute.create_keypair(name=name, public_key=public_key, type=type,
                                       user_id=user_id)


def delete_keypair(conn, name: str, user_id: str) -> None:
    conn.compute.delete_keypair(name, ignore_missing=True, user_id=user_id)
