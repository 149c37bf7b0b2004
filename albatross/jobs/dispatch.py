"""Telling workers that committed tasks are waiting. The DB row is the work; a dispatch is
only a hint, so a lost hint delays a task (until a poll or sweep) but never loses it."""
import logging

LOG = logging.getLogger(__name__)


class EmbeddedDispatcher:
    def __init__(self, worker):
        self.worker = worker

    def dispatch(self, task_ids, delay: float = 0.0):
        self.worker.notify(task_ids)


class CeleryDispatcher:
    def __init__(self, app, queue: str):
        self.app = app
        self.queue = queue

    def dispatch(self, task_ids, delay: float = 0.0):
        try:
            for task_id in task_ids:
                self.app.send_task("albatross.run_task", args=[task_id], queue=self.queue,
                                   countdown=delay or None)
        except Exception as exc:  # broker down: the workers' sweep will announce them
            LOG.warning("broker unavailable (%s); %d tasks wait for the next sweep",
                        type(exc).__name__, len(list(task_ids)))


class NullDispatcher:
    """For processes that only read (tests, the CLI): nothing to wake."""

    def dispatch(self, task_ids, delay: float = 0.0):
        return None
