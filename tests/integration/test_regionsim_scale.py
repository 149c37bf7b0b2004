"""The small scale run CI keeps (issue 17): 200 simulated regions behind the simulator's own
Keystone (one command: `albatross devcloud sim --regions 200`), and Albatross's region
registry over them: the catalog lists them all, and reads fanned out to every region answer
from each (a keypair listing and a security group snapshot, as a sync audit's first pass
makes them). Timings are printed for the record, never asserted."""
import time

import pytest

from albatross.devcloud.settings import Paths
from albatross.devcloud.sim_catalog import simulate
from albatross.regions import keypairs as nova_keypairs
from albatross.regions import secgroups as neutron
from albatross.regions.registry import RegionRegistry

pytestmark = pytest.mark.devcloud
N = 200


@pytest.fixture(scope="module")
def simulated(devcloud):
    return simulate(Paths.from_env(None), N)


def test_the_registry_sees_and_reaches_every_simulated_region(simulated, monkeypatch):
    # openstacksdk reads OS_CLIENT_CONFIG_FILE before any file it is given
    monkeypatch.setenv("OS_CLIENT_CONFIG_FILE", simulated["clouds_yaml"])
    t0 = time.monotonic()
    registry = RegionRegistry(cloud=simulated["cloud"], clouds_yaml=simulated["clouds_yaml"])
    names = registry.names()
    listed = time.monotonic() - t0
    assert sorted(names) == simulated["region_names"]
    project = registry.connection(names[0]).current_project_id
    t1 = time.monotonic()
    keypairs = registry.fan_out(
        lambda r: nova_keypairs.list_keypairs(registry.connection(r), "nobody"), names)
    t2 = time.monotonic()
    groups = registry.fan_out(
        lambda r: neutron.read_snapshot(registry.connection(r), project), names)
    t3 = time.monotonic()
    assert all(v == [] for v in keypairs.values()), {
        r: v for r, v in keypairs.items() if v != []}
    assert all(not isinstance(v, Exception) and [g.name for g in v.groups.values()]
               == ["default"] for v in groups.values())
    print(f"{N} simulated regions: catalog {listed:.2f} s, keypair listing of every region "
          f"{t2 - t1:.2f} s, security group snapshot of every region {t3 - t2:.2f} s "
          f"(max_parallel 16)")
