"""`albatross.wsgi:application` for uWSGI, mod_wsgi or gunicorn. Reads the config from
ALBATROSS_CONFIG_FILE or the oslo.config search path. With executor = embedded each server
process also runs worker threads (leases keep processes from running a task twice)."""
import os

from albatross import conf as albatross_conf
from albatross import log
from albatross.api.deploy import build_app
from albatross.cmd.serve import make_runtime
from albatross.db import migrate


def _application():
    files = [os.environ["ALBATROSS_CONFIG_FILE"]] if "ALBATROSS_CONFIG_FILE" in os.environ \
        else None
    conf = albatross_conf.load([], config_files=files)
    log.setup()
    migrate.require_current(conf.database.connection)
    runtime, worker = make_runtime(conf)
    if worker is not None:
        worker.start()
    return build_app(conf, runtime)


application = _application()
