"""How strictly does a region's own service hold its native quota? N creates fired at once by
a project's member against a limit with little headroom, then the usage the service reports
(what Albatross reads) compared with the limit; and `setting`, the dev cloud with one quota
setting of a service changed for a while (the services' defaults, where the dev cloud sets
strict ones). Used by tests/integration/test_quota_enforcement.py and bench/quota_*.py."""
import re
import threading
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field

from albatross.devcloud import configs
from albatross.devcloud.settings import region_short
from albatross.regions.quotas import read_project_quotas, write_project_limits

# resource -> the other resources set unlimited during its race, so only it can refuse
UNBOUND = {"port": {"network": -1}, "floatingip": {"network": -1, "port": -1},
           "volumes": {"gigabytes": -1}, "gigabytes": {"volumes": -1},
           "instances": {"cores": -1, "ram": -1}, "cores": {"instances": -1, "ram": -1}}
NOVA = ("instances", "cores")
RESOURCES = ("network", "port", "security_group", "floatingip", "volumes", "gigabytes",
             "instances", "cores")


@dataclass
class RaceResult:
    resource: str
    region: str
    limit: int
    before: int
    accepted: int            # creates the API answered with success
    after: int               # usage as the service reports it once every create settled
    refused_later: int = 0   # accepted, then failed by the service's own recheck (Nova)

    @property
    def overshoot(self) -> int:
        return max(0, self.after - self.limit)

    @property
    def usable_overshoot(self) -> int:
        """What the project really holds beyond its limit (Nova's ERROR instances count in
        its usage but run nothing)."""
        return max(0, self.after - self.refused_later - self.limit)


@dataclass
class Fixture:
    """What one region's race needs around it (a network for ports, an external network for
    floating IPs, a flavor and image for servers) and what to remove afterwards."""
    admin: object
    member: object
    tag: str
    ids: dict = field(default_factory=dict)
    created: list = field(default_factory=list)   # (kind, id) made by the member


def _prepare(fx: Fixture, resource: str) -> None:
    net, nova = fx.admin.network, fx.admin.compute
    if resource == "port":
        fx.ids["network"] = fx.member.network.create_network(name=fx.tag).id
    elif resource == "floatingip" and "external" not in fx.ids:
        ext = net.create_network(name=f"ext-{fx.tag}", is_router_external=True)
        fx.ids["external"] = ext.id
        net.create_subnet(network_id=ext.id, cidr="198.51.100.0/24", ip_version=4)
    elif resource in NOVA and "flavor" not in fx.ids:
        fx.ids["flavor"] = nova.create_flavor(name=fx.tag, ram=64, vcpus=1, disk=1).id
        fx.ids["image"] = fx.member.image.create_image(
            fx.tag, data=b"\0" * 4096, disk_format="raw", container_format="bare",
            wait=True).id


def _create(conn, fx: Fixture, resource: str, i: int):
    name = f"{fx.tag}-{i}"
    if resource == "network":
        return "network", conn.network.create_network(name=name).id
    if resource == "port":
        return "port", conn.network.create_port(network_id=fx.ids["network"], name=name).id
    if resource == "security_group":
        return "security_group", conn.network.create_security_group(name=name).id
    if resource == "floatingip":
        return "floatingip", conn.network.create_ip(floating_network_id=fx.ids["external"]).id
    if resource in ("volumes", "gigabytes"):
        return "volume", conn.block_storage.create_volume(size=1, name=name).id
    return "server", conn.compute.create_server(name=name, flavor_id=fx.ids["flavor"],
                                                image_id=fx.ids["image"], networks="none").id


def _settle_servers(fx: Fixture, timeout: float = 180) -> int:
    """Wait until every server is ACTIVE or ERROR; returns how many went ERROR."""
    servers = [i for kind, i in fx.created if kind == "server"]
    deadline = time.monotonic() + timeout
    while True:
        status = {s: fx.admin.compute.get_server(s).status for s in servers}
        if all(v in ("ACTIVE", "ERROR") for v in status.values()):
            return sum(1 for v in status.values() if v == "ERROR")
        assert time.monotonic() < deadline, f"servers not settled after {timeout} s: {status}"
        time.sleep(1)


def burst(connect, region: str, fx: Fixture, resource: str, n: int) -> int:
    """n creates released at the same moment, each on its own connection; returns how many
    the API accepted (their ids are added to fx.created)."""
    conns = [connect(region) for _ in range(n)]
    for c in conns:     # every token is fetched before the start line
        c.authorize()
    gate, lock, accepted = threading.Barrier(n), threading.Lock(), []

    def one(i):
        gate.wait()
        try:
            made = _create(conns[i], fx, resource, i)
        except Exception:  # the service refused (over quota): what the race is about
            return
        with lock:
            accepted.append(made)
    threads = [threading.Thread(target=one, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    fx.created.extend(accepted)
    return len(accepted)


def race(admin, connect, region: str, project_id: str, resource: str, n: int = 16,
         headroom: int = 3) -> RaceResult:
    """Set the project's native limit in `region` to usage + headroom, fire n creates at once,
    read the usage back. Everything made is removed before returning."""
    fx = Fixture(admin, connect(region), f"race-{uuid.uuid4().hex[:8]}")
    try:
        _prepare(fx, resource)
        before = read_project_quotas(admin, project_id)[1][resource]
        limit = before + headroom
        write_project_limits(admin, project_id, {**UNBOUND.get(resource, {}), resource: limit})
        accepted = burst(connect, region, fx, resource, n)
        refused_later = _settle_servers(fx) if resource in NOVA else 0
        after = read_project_quotas(admin, project_id)[1][resource]
        return RaceResult(resource, region, limit, before, accepted, after, refused_later)
    finally:
        clean(fx)


def clean(fx: Fixture) -> None:
    net, nova, cinder = fx.admin.network, fx.admin.compute, fx.admin.block_storage
    for kind, i in fx.created:
        if kind == "server":
            nova.delete_server(i, ignore_missing=True)
    for kind, i in fx.created:
        if kind == "server":
            server = nova.find_server(i)
            if server is not None:
                nova.wait_for_delete(server, interval=0.5, wait=120)
        elif kind == "volume":
            _delete_volume(cinder, i)
        else:
            getattr(net, {"network": "delete_network", "port": "delete_port",
                          "security_group": "delete_security_group",
                          "floatingip": "delete_ip"}[kind])(i, ignore_missing=True)
    if "network" in fx.ids:
        net.delete_network(fx.ids["network"], ignore_missing=True)
    if "external" in fx.ids:
        for ip in list(net.ips(floating_network_id=fx.ids["external"])):
            net.delete_ip(ip)
        net.delete_network(fx.ids["external"], ignore_missing=True)
    if "flavor" in fx.ids:
        nova.delete_flavor(fx.ids["flavor"], ignore_missing=True)
    if "image" in fx.ids:
        fx.admin.image.delete_image(fx.ids["image"], ignore_missing=True)
    fx.created.clear()
    fx.ids.clear()


def _delete_volume(cinder, volume_id: str) -> None:
    """A volume with no cinder-volume service stays 'creating': only a forced delete (or a
    reset to error first) removes it."""
    vol = cinder.find_volume(volume_id)
    if vol is None:
        return
    try:
        cinder.delete_volume(vol, force=True)
    except Exception:
        cinder.reset_volume_status(vol, status="error", attach_status=None, migration_status=None)
        cinder.delete_volume(vol)


SETTINGS = {
    # name: (config file below etc/<rN>/, processes to restart, overrides of that file)
    "neutron-legacy-driver": ("neutron/neutron.conf", ["neutron"], lambda cur: {
        "quotas": {"quota_driver": "neutron.db.quota.driver.DbQuotaDriver"}}),
    # the services' own default: MariaDB's REPEATABLE READ (the dev cloud sets SERIALIZABLE)
    "neutron-default": ("neutron/neutron.conf", ["neutron"], lambda cur: {
        "database": {"connection": cur.replace(configs.NEUTRON_STRICT_QUOTA, "")}}),
    "nova-no-recheck": ("nova/nova.conf", ["nova", "nova-conductor"], lambda cur: {
        "quota": {"recheck_quota": "false"}}),
}


def _database_url(path) -> str:
    match = re.search(r"^connection = (\S+)$", path.read_text(), re.M)
    return match.group(1) if match else ""


@contextmanager
def setting(cloud, name: str, regions: list[str]):
    """The dev cloud with one setting changed in some regions (run/overrides.json, applied
    by every restart), restored afterwards."""
    if name == "default":
        yield
        return
    rel, procs, make = SETTINGS[name]
    before = configs.load_overrides(cloud.paths)

    def restart(overrides):
        configs.save_overrides(cloud.paths, overrides)
        for region in regions:
            for proc in procs:
                cloud.stop_service(region, proc)
            for proc in procs:
                cloud.start_service(region, proc)
    changed = dict(before)
    for region in regions:
        r = region_short(region)
        changed[r] = {**before.get(r, {}),
                      rel: make(_database_url(cloud.paths.etc / r / rel))}
    restart(changed)
    try:
        yield
    finally:
        restart(before)
