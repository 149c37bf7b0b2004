"""Logging set-up with a filter that masks secrets: tokens and passwords never reach a log,
whatever library emitted the line."""
import logging
import re
import sys

_SECRET_PATTERNS = [
    # header or key/value forms: X-Auth-Token: abc, "password": "x", token=abc
    re.compile(r"(?i)((?:x-auth-token|x-subject-token|x-service-token|auth_token|token|"
               r"password|secret|passwd)[\"']?\s*[:=]\s*[\"']?)([^\s\"',;}&]+)"),
    # credentials inside URLs: amqp://user:pass@host, mysql+pymysql://u:p@h
    re.compile(r"(://[^:/@\s]+:)([^@\s]+)(@)"),
    # bare fernet tokens (gAAAAA...) wherever they appear
    re.compile(r"()(gAAAAA[0-9A-Za-z_\-=]{40,})"),
]


def redact(text: str) -> str:
    for pattern in _SECRET_PATTERNS:
        if pattern.groups == 3:
            text = pattern.sub(r"\1***\3", text)
        else:
            text = pattern.sub(r"\1***", text)
    return text


class RedactingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if cleaned != message or record.args:
            record.msg, record.args = cleaned, None
        return True


class QuietLibraries(logging.Filter):
    """Alembic announces every plugin at INFO on each run; keep only its warnings."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.name.startswith("alembic") and record.levelno < logging.WARNING)


def setup(level: int = logging.INFO, stream=None) -> None:
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(logging.Formatter(
        "%(asctime)s %(levelname)s %(name)s [%(threadName)s] %(message)s"))
    handler.addFilter(RedactingFilter())
    handler.addFilter(QuietLibraries())
    root = logging.getLogger()
    for h in list(root.handlers):
        root.removeHandler(h)
    root.addHandler(handler)
    root.setLevel(level)
    for noisy in ("keystoneauth", "urllib3", "stevedore", "openstack", "amqp", "kombu"):
        logging.getLogger(noisy).setLevel(max(level, logging.WARNING))
