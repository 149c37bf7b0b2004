"""[jobs]: how durable jobs are executed (embedded worker or Celery on RabbitMQ)."""
from oslo_config import cfg

GROUP = "jobs"
BATCH_SIZE = 100   # [jobs] batch_size's default, also the executor's without a configuration
OPTS = [
    cfg.StrOpt("executor", default="embedded", choices=["embedded", "celery"],
               help="embedded: `albatross serve` runs the tasks itself. celery: tasks are "
                    "announced on the broker and `albatross worker` processes run them."),
    cfg.IntOpt("worker_threads", default=4, min=1, help="Tasks one worker process runs at once."),
    cfg.FloatOpt("lease_seconds", default=30.0, min=1.0,
                 help="A running task whose lease is not renewed for this long (its worker "
                      "died) is taken over by another worker."),
    cfg.FloatOpt("poll_interval", default=1.0, min=0.05,
                 help="How often an idle worker looks for queued or orphaned tasks."),
    cfg.IntOpt("batch_size", default=BATCH_SIZE, min=1, max=500,
               help="At most this many tasks of one job a worker thread leases and runs at "
                    "once (a fan-out's regions). Smaller batches spread a fan-out over more "
                    "worker threads and processes: 500 made a 1,000-region pass two batches, "
                    "so a second Celery worker had nothing to take."),
    cfg.IntOpt("max_attempts", default=3, min=1,
               help="Attempts for a task that fails with a transient error (region "
                    "unreachable, 5xx) before it is marked FAILED."),
    cfg.FloatOpt("retry_backoff", default=2.0, min=0.0,
                 help="Seconds before the second attempt; doubles after each attempt, up "
                      "to retry_backoff_max, the upper half of each wait random."),
    cfg.FloatOpt("retry_backoff_max", default=300.0, min=0.0,
                 help="The longest wait between two attempts of a task or of a "
                      "controller's work item."),
    cfg.StrOpt("broker_url", default="amqp://guest:guest@127.0.0.1:5672//", secret=True,
               help="Celery broker (RabbitMQ) for executor=celery."),
    cfg.StrOpt("celery_queue", default="albatross", help="Queue the Celery tasks go to."),
]


def register_opts(conf):
    conf.register_opts(OPTS, group=GROUP)
