"""Controlled rollouts as a pure state machine: which action each state allows, and what a
rollout does next given how its current wave's job and its rollback job stand. The service
(services/rollouts.py) gathers those facts, does the I/O a step asks for and stores the result;
keeping the rules here lets them be checked over random histories (tests/unit/test_rollout.py).
"""
from dataclasses import dataclass, replace

RUNNING, WAITING, PAUSED = "running", "waiting_approval", "paused"
COMPLETED, FAILED, ABORTED = "completed", "failed", "aborted"
ROLLING_BACK, ROLLED_BACK = "rolling_back", "rolled_back"
STATES = (RUNNING, WAITING, PAUSED, COMPLETED, FAILED, ABORTED, ROLLING_BACK, ROLLED_BACK)
ACTIONS = ("approve", "pause", "resume", "abort", "rollback")

# how a job stands, as the machine needs to know it (a wave's job counts as SUCCEEDED only
# once every copy was read back ACTIVE with the source's hash)
UNSTARTED, PENDING, SUCCEEDED, JOB_FAILED = "unstarted", "pending", "succeeded", "failed"

# what the service must do now
START_WAVE, START_ROLLBACK = "start_wave", "start_rollback"

_ALLOWED = {"approve": {WAITING}, "pause": {RUNNING, WAITING}, "resume": {PAUSED},
            "abort": {RUNNING, WAITING, PAUSED}}


class NotAllowed(Exception):
    """The action makes no sense in the rollout's state (the API answers 409)."""


@dataclass(frozen=True)
class Progress:
    state: str
    waves: int              # how many waves the rollout has
    wave: int = 0           # the current wave (the next one to start, once approved)
    auto_approve: bool = False


def act(p: Progress, action: str, rollback_job: str = UNSTARTED) -> Progress:
    """A person's action. Approving moves on to the next wave (started by `advance`);
    rollback is allowed from every state but rolled_back, and again after a failed rollback."""
    if action == "rollback":
        if p.state == ROLLED_BACK:
            raise NotAllowed("the rollout is already rolled back")
        if p.state == ROLLING_BACK and rollback_job != JOB_FAILED:
            raise NotAllowed("a rollback is already in progress")
        return replace(p, state=ROLLING_BACK)
    if p.state not in _ALLOWED[action]:
        raise NotAllowed(f"cannot {action} a rollout that is {p.state}")
    if action == "approve":
        return replace(p, state=RUNNING, wave=p.wave + 1)
    return replace(p, state={"pause": PAUSED, "resume": RUNNING, "abort": ABORTED}[action])


def advance(p: Progress, wave_job: str, rollback_job: str) -> tuple[Progress, str | None]:
    """(the new progress, the step to take). Only a running rollout starts waves, one at a
    time; a rollback waits for a wave job still copying (else it would race the copy)."""
    if p.state == RUNNING:
        if wave_job == UNSTARTED:
            return p, START_WAVE
        if wave_job == PENDING:
            return p, None
        if wave_job == JOB_FAILED:
            return replace(p, state=FAILED), None
        if p.wave + 1 >= p.waves:
            return replace(p, state=COMPLETED), None
        if p.auto_approve:
            return replace(p, wave=p.wave + 1), START_WAVE
        return replace(p, state=WAITING), None
    if p.state == ROLLING_BACK:
        if rollback_job == UNSTARTED and wave_job != PENDING:
            return p, START_ROLLBACK
        if rollback_job == SUCCEEDED:
            return replace(p, state=ROLLED_BACK), None
    return p, None
