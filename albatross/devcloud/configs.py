"""Every configuration file of the dev cloud, written below $BASE/etc (always rewritten).

write_all() returns, per process name, a digest of the configuration that process
reads, so `up` can restart exactly the processes whose configuration changed.
"""
from __future__ import annotations

import hashlib
import json
import shutil

from .settings import (AUTH_URL, FAKEBIND_DRIVER, HOST, KEYSTONE_DB,
                       KEYSTONE_PORT, PASSWORD, RABBIT_URL, REGION_NAMES, USERS, Paths,
                       db_url, region_short, rpc_url)

KS_URL = f"http://{HOST}:{KEYSTONE_PORT}"
NEUTRON_STRICT_QUOTA = "&init_command=SET+SESSION+TRANSACTION+ISOLATION+LEVEL+SERIALIZABLE"


def _write(path, text: str) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists() or path.read_text() != text:
        path.write_text(text)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _copy(src, dst) -> str:
    dst.parent.mkdir(parents=True, exist_ok=True)
    data = src.read_bytes()
    if not dst.exists() or dst.read_bytes() != data:
        shutil.copyfile(src, dst)
    return hashlib.sha256(data).hexdigest()[:16]


def _ini(sections: dict) -> str:
    out = []
    for name, opts in sections.items():
        out.append(f"[{name}]")
        out += [f"{k} = {v}" for k, v in opts.items()]
        out.append("")
    return "\n".join(out)


def load_overrides(p: Paths) -> dict:
    """{"r2": {"neutron/neutron.conf": {"quotas": {"quota_driver": "..."}}}}: settings that
    a benchmark or an experiment puts over the generated ones for a while (bench/quota_race
    measures other quota settings this way). Kept in run/, so every restart applies them."""
    path = p.run / "overrides.json"
    return json.loads(path.read_text()) if path.exists() else {}


def save_overrides(p: Paths, overrides: dict) -> None:
    path = p.run / "overrides.json"
    if overrides:
        path.write_text(json.dumps(overrides, indent=1, sort_keys=True))
    else:
        path.unlink(missing_ok=True)


def _merged(sections: dict, extra: dict) -> dict:
    out = {name: dict(opts) for name, opts in sections.items()}
    for name, opts in extra.items():
        out.setdefault(name, {}).update(opts)
    return out


def _authtoken(user: str) -> dict:
    return {"www_authenticate_uri": KS_URL, "auth_url": KS_URL, "auth_type": "password",
            "project_domain_name": "Default", "user_domain_name": "Default",
            "project_name": "service", "username": user, "password": PASSWORD,
            "service_token_roles_required": "true"}


def _client(user: str, region: str) -> dict:
    return {"auth_url": KS_URL, "auth_type": "password", "project_domain_name": "Default",
            "user_domain_name": "Default", "project_name": "service", "username": user,
            "password": PASSWORD, "region_name": region}


def transport_url(region: str, nova_regions) -> str:
    """Nova's RPC: a full-Nova region's own virtual host; the API-only regions keep fake://
    (their casts go nowhere, their servers stay in BUILD)."""
    return rpc_url(region) if region in nova_regions else "fake://"


def notifications(topic: str, nova_regions) -> dict:
    """With RabbitMQ in the cloud (full Nova), every service publishes its notifications there,
    each region on its own topic (one broker stands for one per region): Albatross's events
    listener reads them. Without it, notifications go nowhere."""
    if not nova_regions:
        return {"driver": "noop"}
    return {"driver": "messagingv2", "transport_url": RABBIT_URL, "topics": topic}


IDENTITY_NOTIFICATION_TOPIC = "notifications_identity"   # Keystone's (one for all regions)


def notification_topic(region: str) -> str:
    return f"notifications_{region_short(region)}"


def keystone_conf(p: Paths, nova_regions) -> str:
    d = p.data / "keystone"
    return _ini({
        "DEFAULT": {"log_file": p.logs / "keystone.log"},
        "database": {"connection": db_url(KEYSTONE_DB)},
        # bcrypt cost 4: password auth ~27 ms instead of ~255 ms (test-only setting)
        "identity": {"password_hash_rounds": 4},
        "token": {"provider": "fernet"},
        # tokens say whether their project is the cloud's admin project (is_admin_project):
        # an admin role on any other project is not cloud admin in Albatross's policy
        "resource": {"admin_project_name": "admin", "admin_project_domain_name": "Default"},
        "fernet_tokens": {"key_repository": d / "fernet-keys"},
        "credential": {"key_repository": d / "credential-keys"},
        # in-process cache: token validation ~7 ms instead of ~220 ms. ONE keystone process only.
        "cache": {"enabled": "true", "backend": "oslo_cache.dict"},
        "oslo_messaging_notifications": notifications(IDENTITY_NOTIFICATION_TOPIC, nova_regions),
    })


def region_confs(p: Paths, region: str, nova_regions) -> dict[str, str]:
    """Relative path below etc/<rN>/ -> file content, with the overrides of
    run/overrides.json applied (see `overrides`)."""
    r = region_short(region)
    d = p.data / r
    lg = p.logs
    common = {"oslo_concurrency": {"lock_path": d / "locks"},
              "oslo_messaging_notifications": notifications(notification_topic(region),
                                                            nova_regions)}
    files = {}
    files["glance/glance-api.conf"] = {
        "DEFAULT": {"log_file": lg / f"{r}-glance.log", "enabled_backends": "fs:file",
                    "transport_url": "fake://"},
        "database": {"connection": db_url(f"{r}_glance")},
        "glance_store": {"default_backend": "fs"},
        "fs": {"filesystem_store_datadir": d / "glance/images"},
        "os_glance_staging_store": {"filesystem_store_datadir": d / "glance/staging"},
        "os_glance_tasks_store": {"filesystem_store_datadir": d / "glance/tasks"},
        "paste_deploy": {"flavor": "keystone"},
        **common, "keystone_authtoken": _authtoken("glance"),
    }
    files["neutron/neutron.conf"] = {
        "DEFAULT": {"log_file": lg / f"{r}-neutron.log", "core_plugin": "ml2",
                    "service_plugins": "router", "auth_strategy": "keystone",
                    "allow_overlapping_ips": "true", "transport_url": "fake://",
                    "api_paste_config": p.venv / "etc/neutron/api-paste.ini",
                    "notify_nova_on_port_status_changes": "false",
                    "notify_nova_on_port_data_changes": "false"},
        # Neutron's quota check counts and reserves in one transaction without a lock: under
        # MariaDB's default REPEATABLE READ, concurrent creates pass the limit (1 of 3 here);
        # SERIALIZABLE makes the counts conflict, Neutron retries, and the limit holds
        # (docs/quota.md, bench/quota_race.py)
        "database": {"connection": db_url(f"{r}_neutron") + NEUTRON_STRICT_QUOTA},
        **common, "keystone_authtoken": _authtoken("neutron"), "nova": _client("nova", region),
    }
    files["neutron/plugins/ml2/ml2_conf.ini"] = {
        # the project's test-only driver binds every port (no L2 agents), so Nova can boot
        # servers on Neutron networks; it only acts on ports that have a binding host.
        "ml2": {"type_drivers": "flat,vlan,vxlan", "tenant_network_types": "vxlan",
                "mechanism_drivers": FAKEBIND_DRIVER, "extension_drivers": "port_security"},
        "ml2_type_flat": {"flat_networks": "public"},
        "ml2_type_vlan": {"network_vlan_ranges": "public"},
        "ml2_type_vxlan": {"vni_ranges": "1:1000"},
    }
    files["nova/nova.conf"] = {
        "DEFAULT": {"log_file": lg / f"{r}-nova.log",
                    "transport_url": transport_url(region, nova_regions),
                    "state_path": d / "nova", "instances_path": d / "nova/instances",
                    # keeps its node identity in state_path/compute_id across restarts
                    "compute_driver": "fake.FakeDriverWithoutFakeNodes",
                    "host": f"devcloud-{r}-compute", "my_ip": HOST,
                    "use_rootwrap_daemon": "false"},
        "api": {"auth_strategy": "keystone"},
        "wsgi": {"api_paste_config": p.etc / r / "nova/api-paste.ini"},
        "api_database": {"connection": db_url(f"{r}_nova_api")},
        "database": {"connection": db_url(f"{r}_nova_cell1")},
        **common,
        "glance": {"region_name": region},
        "cinder": {"os_region_name": region},
        # the legacy format goes to the configured topic, with the other services' events
        "notifications": {"notification_format": "unversioned"},
        # Nova's default, written out: the conductor counts again once the instances exist
        # and fails the excess of a concurrent burst (docs/quota.md measures it)
        "quota": {"recheck_quota": "true"},
        "scheduler": {"discover_hosts_in_cells_interval": 2, "workers": 1},
        "conductor": {"workers": 1},
        "filter_scheduler": {"enabled_filters": "ComputeFilter,ImagePropertiesFilter"},
        "vnc": {"enabled": "false"},
        "keystone_authtoken": _authtoken("nova"),
        "placement": _client("placement", region),
        "neutron": _client("neutron", region),
        # Nova must send a service token along with the user's: Neutron's default policy lets a
        # member delete a compute-owned port (server delete) only with the service role.
        "service_user": {"send_service_user_token": "true", **_client("nova", region)},
    }
    files["cinder/cinder.conf"] = {
        "DEFAULT": {"log_file": lg / f"{r}-cinder.log", "auth_strategy": "keystone",
                    "transport_url": "fake://",
                    "api_paste_config": p.etc / r / "cinder/api-paste.ini",
                    "state_path": d / "cinder"},
        "database": {"connection": db_url(f"{r}_cinder")},
        **common, "keystone_authtoken": _authtoken("cinder"),
    }
    files["placement/placement.conf"] = {
        "DEFAULT": {"log_file": lg / f"{r}-placement.log"},
        "api": {"auth_strategy": "keystone"},
        "placement_database": {"connection": db_url(f"{r}_placement")},
        "keystone_authtoken": _authtoken("placement"),
    }
    mine = load_overrides(p).get(r, {})
    return {rel: _ini(_merged(sections, mine.get(rel, {}))) for rel, sections in files.items()}


def clouds_yaml(regions: list[str]) -> str:
    lines = ["# written by albatross.devcloud; password for every user: " + PASSWORD, "clouds:"]
    for user, spec in USERS.items():
        lines += [f"  devcloud-{user}:", "    auth:", f"      auth_url: {AUTH_URL}",
                  f"      username: {user}", f"      password: {PASSWORD}",
                  f"      project_name: {spec['project']}",
                  "      user_domain_name: Default", "      project_domain_name: Default",
                  "    identity_api_version: 3", f"    regions: [{', '.join(regions)}]"]
    return "\n".join(lines) + "\n"


def write_all(p: Paths, nregions: int, nova_regions) -> dict[str, str]:
    """Write every file; return {process name: digest of the config it reads}. nova_regions:
    the regions that run all of Nova (none: no RabbitMQ in the cloud)."""
    p.makedirs()
    digests = {"keystone": _write(p.etc / "keystone/keystone.conf",
                                  keystone_conf(p, nova_regions))}
    for sub in ("fernet-keys", "credential-keys"):
        (p.data / "keystone" / sub).mkdir(parents=True, exist_ok=True)
    regions = REGION_NAMES[:nregions]
    for region in regions:
        r = region_short(region)
        e = p.etc / r
        for sub in ("glance/images", "glance/staging", "glance/tasks", "locks", "nova/instances",
                    "cinder"):
            (p.data / r / sub).mkdir(parents=True, exist_ok=True)
        h = {rel: _write(e / rel, text) for rel, text in region_confs(p, region, nova_regions).items()}
        h["glance-paste"] = _copy(p.venv / "etc/glance/glance-api-paste.ini",
                                  e / "glance/glance-api-paste.ini")
        h["nova-paste"] = _copy(p.venv / "etc/nova/api-paste.ini", e / "nova/api-paste.ini")
        h["cinder-paste"] = _copy(p.venv / "etc/cinder/api-paste.ini", e / "cinder/api-paste.ini")
        digests[f"{r}-glance"] = h["glance/glance-api.conf"] + h["glance-paste"]
        digests[f"{r}-neutron"] = h["neutron/neutron.conf"] + h["neutron/plugins/ml2/ml2_conf.ini"]
        digests[f"{r}-nova"] = h["nova/nova.conf"] + h["nova-paste"]
        digests[f"{r}-cinder"] = h["cinder/cinder.conf"] + h["cinder-paste"]
        digests[f"{r}-placement"] = h["placement/placement.conf"]
        for daemon in ("nova-conductor", "nova-scheduler", "nova-compute"):
            digests[f"{r}-{daemon}"] = h["nova/nova.conf"]
    _write(p.clouds_yaml, clouds_yaml(regions))
    return digests


def my_cnf(p: Paths, port: int) -> str:
    return _ini({"mysqld": {
        "datadir": p.data / "mysql", "socket": p.run / "mysqld.sock",
        "pid-file": p.run / "mysqld.own.pid", "bind-address": HOST, "port": port,
        "user": "root", "skip-log-bin": "", "skip-name-resolve": "",
        "max_connections": 2000, "innodb_buffer_pool_size": "256M",
        "innodb_flush_log_at_trx_commit": 0, "innodb_doublewrite": 0,
        "character-set-server": "utf8mb4", "collation-server": "utf8mb4_general_ci",
        "log-error": p.logs / "mysqld.log"}}).replace(" = \n", "\n")


def rabbit_files(p: Paths, port: int) -> None:
    e = p.etc / "rabbitmq"
    _write(e / "rabbitmq.conf", f"listeners.tcp.default = {HOST}:{port}\n"
                                "default_user = guest\ndefault_pass = guest\n")
    _write(e / "enabled_plugins", "[].\n")
