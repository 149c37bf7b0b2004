"""Task and job states, and the pure rule that derives a job's state from its tasks."""
from collections.abc import Mapping

QUEUED, RUNNING, SUCCESS, FAILED, SKIPPED = "QUEUED", "RUNNING", "SUCCESS", "FAILED", "SKIPPED"
TASK_STATES = (QUEUED, RUNNING, SUCCESS, FAILED, SKIPPED)
TERMINAL = frozenset({SUCCESS, FAILED, SKIPPED})
JOB_STATES = (QUEUED, RUNNING, SUCCESS, FAILED)


def job_status(counts: Mapping[str, int]) -> str:
    """A job is QUEUED until a task starts, RUNNING while any task is unfinished, then
    FAILED if any task failed, else SUCCESS. Derived on every read, so it can never go stale
    (Kingbird stored it and left jobs stuck IN_PROGRESS)."""
    total = sum(counts.values())
    unfinished = counts.get(QUEUED, 0) + counts.get(RUNNING, 0)
    if total == 0:
        return SUCCESS
    if unfinished:
        return QUEUED if counts.get(QUEUED, 0) == total else RUNNING
    return FAILED if counts.get(FAILED, 0) else SUCCESS
