"""The dev cloud's Nova RPC separation: each full-Nova region on its own RabbitMQ virtual
host (Nova's RPC queue names are fixed, so a shared one would mix the regions' casts), the
API-only regions on fake://, and every notification on the default virtual host."""
from albatross.devcloud import configs
from albatross.devcloud.settings import FULL_NOVA_REGIONS, RABBIT_URL, Paths, rpc_vhost


def nova_conf(tmp_path, region, nova_regions):
    text = configs.region_confs(Paths(tmp_path), region, nova_regions)["nova/nova.conf"]
    section, out = None, {}
    for line in text.splitlines():
        if line.startswith("["):
            section = line.strip("[]")
        elif " = " in line:
            key, value = line.split(" = ", 1)
            out[(section, key)] = value
    return out


def test_each_full_nova_region_has_its_own_rpc_virtual_host(tmp_path):
    nova = list(FULL_NOVA_REGIONS)
    urls = {r: nova_conf(tmp_path, r, nova)[("DEFAULT", "transport_url")]
            for r in ("RegionOne", "RegionTwo", "RegionThree")}
    assert urls["RegionOne"] == RABBIT_URL   # the default virtual host, as before
    assert urls["RegionTwo"] == RABBIT_URL + rpc_vhost("RegionTwo") == RABBIT_URL + "devcloud-r2"
    assert urls["RegionThree"] == "fake://"  # Nova's API only: its casts go nowhere
    assert len(set(urls.values())) == 3


def test_notifications_share_the_default_virtual_host_one_topic_per_region(tmp_path):
    nova = list(FULL_NOVA_REGIONS)
    seen = {}
    for region in ("RegionOne", "RegionTwo", "RegionThree"):
        conf = nova_conf(tmp_path, region, nova)
        assert conf[("oslo_messaging_notifications", "transport_url")] == RABBIT_URL
        seen[region] = conf[("oslo_messaging_notifications", "topics")]
    assert seen == {"RegionOne": "notifications_r1", "RegionTwo": "notifications_r2",
                    "RegionThree": "notifications_r3"}


def test_without_full_nova_nothing_talks_to_rabbitmq(tmp_path):
    for region in ("RegionOne", "RegionTwo"):
        conf = nova_conf(tmp_path, region, [])
        assert conf[("DEFAULT", "transport_url")] == "fake://"
        assert conf[("oslo_messaging_notifications", "driver")] == "noop"
