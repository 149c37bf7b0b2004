from oslo_policy import policy

from albatross.api.policies.base import ADMIN, PROJECT_MEMBER, PROJECT_READER

ACTIONS = {
    "approve": "Start the next wave of a rollout waiting for approval.",
    "pause": "Pause a rollout (no wave starts until it is resumed).",
    "resume": "Resume a paused rollout.",
    "abort": "Stop a rollout: no further waves (what is copied stays).",
    "rollback": "Return every region a rollout touched to how it was before (a job).",
}

RULES = [
    policy.DocumentedRuleDefault(
        "albatross:image_rollouts:create", f"{ADMIN} or {PROJECT_MEMBER}",
        "Roll a new image version out region by region, in waves.",
        [{"method": "POST", "path": "/v1/image-rollouts"}]),
    policy.DocumentedRuleDefault(
        "albatross:image_rollouts:list", f"{ADMIN} or {PROJECT_READER}",
        "List the project's image rollouts.", [{"method": "GET", "path": "/v1/image-rollouts"}]),
    policy.DocumentedRuleDefault(
        "albatross:image_rollouts:get", f"{ADMIN} or {PROJECT_READER}",
        "Show a rollout: its waves, their jobs and its history.",
        [{"method": "GET", "path": "/v1/image-rollouts/{rollout_id}"}]),
] + [policy.DocumentedRuleDefault(
    f"albatross:image_rollouts:{action}", f"{ADMIN} or {PROJECT_MEMBER}", text,
    [{"method": "POST", "path": f"/v1/image-rollouts/{{rollout_id}}/{action}"}])
    for action, text in ACTIONS.items()]
