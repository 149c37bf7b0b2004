"""The small scale run CI keeps (issue 17, docs/scale.md): Albatross itself (`albatross serve`
with its embedded worker) over 200 simulated regions, each holding the tenant's 100 keypairs
and 100 security groups: one drift-audit pass of a keypair policy and of a security group
policy over every region, and the global quota view. Each must be right (every region in
step, every region read); the timings and the cost per region are printed for the record,
never asserted (bench/scale.py measures the ceilings)."""
import pytest

from bench import scale, scale_env

pytestmark = pytest.mark.devcloud
N, OBJECTS = 200, 100


class Args:
    projects = 0


@pytest.fixture(scope="module")
def env(devcloud, tmp_path_factory):
    env = scale_env.start(N, tmp_path_factory.mktemp("scale"))
    try:
        env.ctx = scale.seed(env, OBJECTS, OBJECTS, 1)
        yield env
    finally:
        env.stop()


@pytest.mark.parametrize("op", ["audit-kp", "audit-sg", "audit-sg-2", "view"])
def test_one_pass_over_every_region(env, op):
    result, sample = env.sampler.measure(lambda: scale.run_op(op, env, env.ctx, Args))
    if op == "view":
        assert result == {"complete": True}
    else:
        assert result == {"tasks": N - 1}   # one per target region, all SUCCESS (_job)
    print(f"{N} simulated regions, {op}: {sample.wall:.2f} s wall, {sample.cpu:.2f} s CPU "
          f"({sample.cpu / N * 1000:.1f} ms CPU per region), peak {sample.peak_threads} "
          f"threads, {sample.peak_rss / 2**20:.0f} MiB")
