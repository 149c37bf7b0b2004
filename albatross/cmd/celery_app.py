"""Celery on RabbitMQ for scale-out: any number of `albatross worker` processes on any hosts.
A message carries only a task id; the worker leases the task in the DB (compare-and-set), so
duplicate or redelivered messages are harmless. Each worker also sweeps the DB for tasks whose
message was lost or whose worker died, and announces them again."""
import logging
import threading

from celery import Celery, signals

from albatross.jobs.dispatch import CeleryDispatcher
from albatross.jobs.executor import TaskExecutor, options_from_conf
from albatross.db.jobs import JobStore
from albatross.jobs.periodic import Resync
from albatross.jobs.worker import LeaseKeeper, worker_identity
from albatross.regions.registry import RegionRegistry
from albatross.services.controllers import controllers
from albatross.services.runtime import Runtime

LOG = logging.getLogger(__name__)

app = Celery("albatross")
_state: dict = {}


def configure(conf) -> Celery:
    app.conf.update(
        broker_url=conf.jobs.broker_url,
        task_default_queue=conf.jobs.celery_queue,
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        broker_connection_retry_on_startup=True,
        worker_hijack_root_logger=False,
        task_ignore_result=True,
    )
    _state["conf"] = conf
    return app


def _worker_state() -> dict:
    if "executor" not in _state:
        conf = _state["conf"]
        store = JobStore(conf.database.connection)
        _state["store"] = store
        _state["owner"] = worker_identity("celery")
        _state["leases"] = LeaseKeeper(store, conf.jobs.lease_seconds)
        _state["leases"].start()
        dispatcher = CeleryDispatcher(app, conf.jobs.celery_queue)
        _state["dispatcher"] = dispatcher
        registry = RegionRegistry.from_conf(conf)
        _state["runtime"] = rt = Runtime.from_conf(conf, dispatcher, registry)
        _state["executor"] = TaskExecutor(store, registry,
                                          max_attempts=conf.jobs.max_attempts,
                                          retry_backoff=conf.jobs.retry_backoff,
                                          retry_backoff_max=conf.jobs.retry_backoff_max,
                                          on_requeue=dispatcher.dispatch,
                                          options=options_from_conf(conf),
                                          lease_seconds=conf.jobs.lease_seconds, conf=conf,
                                          health=rt.health, dispatch=dispatcher.dispatch,
                                          controllers=controllers(rt))
        _state["executor"].leases = _state["leases"]
    return _state


@app.task(name="albatross.run_task")
def run_task(task_id: str) -> str:
    st = _worker_state()
    claims = st["store"].claim(st["owner"], _state["conf"].jobs.lease_seconds, task_id=task_id)
    if not claims:
        return "not-claimable"  # done already, or another worker holds a live lease
    st["leases"].hold(claims[0])
    try:
        return st["executor"].run(claims[0])
    finally:
        st["leases"].release(claims[0])


def _sweep_forever(stop: threading.Event, interval: float):
    st = _worker_state()
    while not stop.wait(interval):
        try:
            due = st["store"].due_task_ids(stale_seconds=interval)
            if due:
                LOG.info("sweep: announcing %d waiting or orphaned tasks", len(due))
                st["dispatcher"].dispatch(due)
        except Exception:
            LOG.exception("sweep failed")


@signals.worker_ready.connect
def _start_sweeper(**_kwargs):
    interval = max(5.0, _state["conf"].jobs.lease_seconds / 2)
    stop = threading.Event()
    _state["sweeper_stop"] = stop
    threading.Thread(target=_sweep_forever, args=(stop, interval), name="sweeper",
                     daemon=True).start()
    # announce right away what an earlier crash left behind
    st = _worker_state()
    Resync(st["runtime"], list(st["executor"].controllers.values())).start()
    st["dispatcher"].dispatch(st["store"].due_task_ids(stale_seconds=0))
