"""Kingbird-compatible routes (/v1.0/{project_id}/os-sync), so python-kingbirdclient and
Kingbird's tempest scenarios work unchanged. They translate to the same service calls as /v1;
bodies are parsed as JSON only (Kingbird eval()'d them)."""
