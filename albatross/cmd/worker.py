"""`albatross worker`: a Celery worker on RabbitMQ. Run as many as you like, on any hosts
that reach the database and the broker."""
import socket


def run_worker(conf, concurrency: int | None = None, name: str | None = None) -> int:
    from albatross.db import migrate
    from albatross.cmd import celery_app
    migrate.require_current(conf.database.connection)
    app = celery_app.configure(conf)
    argv = ["worker", "--pool", "threads", "--loglevel", "INFO",
            "--concurrency", str(concurrency or conf.jobs.worker_threads),
            "--queues", conf.jobs.celery_queue, "--without-gossip", "--without-mingle",
            "--hostname", name or f"albatross@{socket.gethostname()}"]
    app.worker_main(argv)
    return 0
