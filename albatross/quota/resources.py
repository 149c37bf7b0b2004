"""The resources Albatross governs, the service that enforces each, and their defaults."""
from dataclasses import dataclass

UNLIMITED = -1


@dataclass(frozen=True)
class Resource:
    name: str
    service: str        # compute | volume | network: whose native quota enforces it
    default: int
    per_user: bool = False


RESOURCES: dict[str, Resource] = {r.name: r for r in (
    Resource("instances", "compute", 10),
    Resource("cores", "compute", 20),
    Resource("ram", "compute", 51200),
    # Nova counts key pairs per user, not per project: the limit applies to each user
    Resource("key_pairs", "compute", 100, per_user=True),
    Resource("metadata_items", "compute", 128),
    Resource("server_groups", "compute", 10),
    Resource("server_group_members", "compute", 10),
    Resource("volumes", "volume", 10),
    Resource("snapshots", "volume", 10),
    Resource("gigabytes", "volume", 1000),
    Resource("backups", "volume", 10),
    Resource("backup_gigabytes", "volume", 1000),
    Resource("network", "network", 100),
    Resource("subnet", "network", 100),
    Resource("port", "network", 500),
    Resource("router", "network", 10),
    Resource("floatingip", "network", 50),
    Resource("security_group", "network", 10),
    Resource("security_group_rule", "network", 100),
)}

# limits copied to every region as they are, not split: caps on one object (metadata items
# of a server, members of a group), and key pairs, which Nova limits per user and which
# Albatross clones (one key in N regions must not cost its user N times)
PER_OBJECT = frozenset({"metadata_items", "server_group_members", "key_pairs"})


def by_service(values: dict[str, int]) -> dict[str, dict[str, int]]:
    out: dict[str, dict[str, int]] = {}
    for name, value in values.items():
        out.setdefault(RESOURCES[name].service, {})[name] = value
    return out
