from oslo_policy import policy

from albatross.api.policies.base import ADMIN

RULES = [
    policy.DocumentedRuleDefault(
        "albatross:logs:get", ADMIN,
        "Search and tail the service logs of every region (they are admin data: they name "
        "every project's requests).",
        [{"method": "GET", "path": "/v1/logs"}, {"method": "GET", "path": "/v1/logs/stream"}]),
    policy.DocumentedRuleDefault(
        "albatross:logs:ingest", ADMIN,
        "Ship log lines with a Keystone token (shippers may instead use [logs] "
        "ingest_token).",
        [{"method": "POST", "path": "/v1/logs"}]),
]
