"""`albatross serve`: the HTTP API plus, by default, the embedded worker in one process."""
import logging
import signal
import threading

import waitress

from albatross.api.deploy import build_app
from albatross.db import migrate
from albatross.indicators.settings import settings as indicator_settings
from albatross.jobs.dispatch import CeleryDispatcher, EmbeddedDispatcher
from albatross.jobs.executor import TaskExecutor, options_from_conf
from albatross.jobs.periodic import Resync
from albatross.jobs.worker import EmbeddedWorker
from albatross.regions.registry import RegionRegistry
from albatross.services.controllers import controllers
from albatross.services.runtime import Runtime

LOG = logging.getLogger(__name__)


def make_runtime(conf, with_worker: bool = True):
    """Runtime wired for the configured executor; returns (runtime, worker or None)."""
    registry = RegionRegistry.from_conf(conf)
    if conf.jobs.executor == "celery":
        from albatross.cmd import celery_app
        app = celery_app.configure(conf)
        return Runtime.from_conf(conf, CeleryDispatcher(app, conf.jobs.celery_queue),
                                 registry), None
    rt = Runtime.from_conf(conf, registry=registry)
    worker = None
    if with_worker:
        executor = TaskExecutor(rt.store, registry, max_attempts=conf.jobs.max_attempts,
                                retry_backoff=conf.jobs.retry_backoff,
                                retry_backoff_max=conf.jobs.retry_backoff_max,
                                options=options_from_conf(conf),
                                lease_seconds=conf.jobs.lease_seconds, conf=conf,
                                health=rt.health,
                                dispatch=lambda ids: rt.dispatcher.dispatch(ids),
                                controllers=controllers(rt))
        worker = EmbeddedWorker(rt.store, executor, threads=conf.jobs.worker_threads,
                                lease_seconds=conf.jobs.lease_seconds,
                                poll_interval=conf.jobs.poll_interval)
        rt.dispatcher = EmbeddedDispatcher(worker)
    return rt, worker


def serve(conf) -> int:
    migrate.require_current(conf.database.connection)
    indicator_settings(conf)   # a malformed [indicators] option stops the start, not a round
    rt, worker = make_runtime(conf)
    app = build_app(conf, rt)
    resync = None
    if worker is not None:   # with Celery, its workers run the resync loop
        worker.start()  # picks up at once whatever an earlier crash left queued or leased
        resync = Resync(rt, list(worker.executor.controllers.values())).start()
    listeners = _image_listeners(conf, rt)
    quota_watch = _quota_watch(conf, rt)
    events = _event_listeners(conf, quota_watch)
    threading.Thread(target=_warm_regions, args=(rt,), daemon=True).start()
    # streams get threads of their own on top of the API's (docs/decisions/0003); a body
    # over the largest limit is refused by waitress before it buffers any of it
    server = waitress.create_server(
        app, host=conf.api.bind_host, port=conf.api.bind_port, ident="albatross",
        threads=conf.api.threads + conf.api.max_streams,
        max_request_body_size=max(conf.api.max_request_body_bytes, conf.logs.max_body_bytes))
    signal.signal(signal.SIGTERM, _exit_on_term)
    LOG.info("Albatross API on http://%s:%s (executor: %s)", conf.api.bind_host,
             conf.api.bind_port, conf.jobs.executor)
    try:
        server.run()  # returns on SIGTERM/SIGINT (waitress stops its threads first)
    except OSError:
        pass
    finally:
        if listeners is not None:
            listeners.stop()
        if events is not None:
            events.stop()
        if worker is not None:
            resync.stop()
            worker.stop()
    return 0


def _image_listeners(conf, rt):
    """Glance notifications for auto mode, in the regions that have a transport URL."""
    if not conf.image_sync.notification_urls:
        return None
    from albatross.images.notifications import glance_listeners
    from albatross.services.image_auto import handle_event
    return glance_listeners(conf, lambda region, event, payload: handle_event(
        rt, region, event, payload)).start()


def _quota_watch(conf, rt):
    """Reactive rebalancing, fed by the event listeners: they queue the quota_reaction
    controller's items, which any worker runs."""
    if not (conf.events.notification_urls and conf.quota.react_to_notifications):
        return None
    from albatross.services.quota_watch import QuotaWatch
    return QuotaWatch(rt)


def _event_listeners(conf, quota_watch=None):
    """Every region's notifications as events, in the regions that have a transport URL."""
    if not conf.events.notification_urls:
        return None
    from albatross.events.listener import event_listeners
    return event_listeners(conf, conf.database.connection,
                           quota_watch.notify if quota_watch else None).start()


def _exit_on_term(_signum, _frame):
    raise SystemExit(0)


def _warm_regions(rt):
    try:
        LOG.info("managing regions: %s", ", ".join(rt.registry.names()))
    except Exception as exc:
        LOG.warning("region catalog not readable yet (%s); will retry on first use",
                    type(exc).__name__)
