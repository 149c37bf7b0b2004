"""Nova keypair reads for keypair sync, through openstacksdk's compute proxy."""
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
