"""oslo.config option groups, one module per group; `list_opts` feeds oslo-config-generator."""
from oslo_config import cfg

from albatross.conf import addresses, api, database, image_sync, jobs, quota, regions, sync
from albatross.conf import events, logs
from albatross.conf import delegation, indicators, ui

CONF = cfg.CONF
_GROUP_MODULES = (api, database, jobs, quota, regions, sync, image_sync, addresses, events, logs,
                  indicators, ui, delegation)


def register_opts(conf: cfg.ConfigOpts) -> None:
    for module in _GROUP_MODULES:
        module.register_opts(conf)


def list_opts():
    return [(m.GROUP, m.OPTS) for m in _GROUP_MODULES]


def load(argv=None, config_files=None, conf: cfg.ConfigOpts = CONF) -> cfg.ConfigOpts:
    """Parse the command line and config files once; safe to call from every entry point."""
    register_opts(conf)
    default_files = config_files
    if default_files is None:
        default_files = cfg.find_config_files(project="albatross")
    conf(argv or [], project="albatross", default_config_files=default_files)
    return conf


register_opts(CONF)
