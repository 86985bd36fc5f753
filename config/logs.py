"""Logs: JSON lines on stdout in production, plain text for the demo.

``DJANGO_LOG_FORMAT`` chooses (``json`` / ``text``; default ``json`` when
``DJANGO_DEBUG`` is false). Web (Django and gunicorn), worker and beat all log
through these formatters (config/gunicorn.conf.py, config/celery.py), one JSON
object per record: ``time``, ``level``, ``logger``, ``message``, the request id
(X-Request-ID, config/middleware.py) or the Celery task, and the record's extras.

Personal data never reaches a log line: every line goes through ``redact``,
which masks mainland mobile and ID-card numbers the way the pages mask them
(config/masking.py: 138****8000, 110101********8515). gunicorn's access
lines carry the path without its query string (searches carry phone numbers).

Plain stdlib logging: no Django import here, so gunicorn's master can use it.
"""

import datetime as dt
import json
import logging
from collections.abc import Mapping
from contextvars import ContextVar

from config.masking import redact

#: The id of the request being served (set by RequestIdMiddleware) or of the
#: request that started the running Celery task.
request_id: ContextVar[str | None] = ContextVar("request_id", default=None)

# Attributes every LogRecord has; anything else on a record is an "extra".
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime"}
# Extras never written: the request object (its repr carries the query string;
# the request id identifies it) and runserver's socket.
_DROPPED = {"request", "server_time"}


def _request_id_of(record: logging.LogRecord) -> str | None:
    """The id of the request being served, or of the request a record is about
    (Django logs a 4xx answer after the middleware has finished, with the request
    attached)."""
    return request_id.get() or getattr(getattr(record, "request", None), "id", None)


def _current_task():
    """The Celery task this process is running, if any (without importing Celery)."""
    import sys

    state = sys.modules.get("celery._state")
    return state.get_current_task() if state else None


class JsonFormatter(logging.Formatter):
    """One JSON object per record."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": dt.datetime.fromtimestamp(record.created, tz=dt.timezone.utc).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update(self.context(record))
        for key, value in vars(record).items():
            if key not in _STANDARD and key not in _DROPPED and key not in entry and not key.startswith("_"):
                entry[key] = value
        if record.exc_info:
            entry["exc_info"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack_info"] = self.formatStack(record.stack_info)
        return redact(json.dumps(entry, default=str))

    @staticmethod
    def context(record: logging.LogRecord) -> dict:
        found = {}
        if rid := _request_id_of(record):
            found["request_id"] = rid
        task = _current_task()
        if task is not None and task.request.id:
            found.update(task=task.name, task_id=task.request.id)
        return found


class AccessJsonFormatter(JsonFormatter):
    """gunicorn's access records (their argument is gunicorn's dict of "atoms"):
    the request's fields as JSON keys instead of gunicorn's text line."""

    def format(self, record: logging.LogRecord) -> str:
        atoms = record.args if isinstance(record.args, Mapping) else {}
        if not atoms:
            return super().format(record)
        method, path, status = atoms.get("m"), atoms.get("U"), atoms.get("s")
        entry = {
            "time": dt.datetime.fromtimestamp(record.created, tz=dt.timezone.utc).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": f"{method} {path} {status}",
            "method": method,
            "path": path,  # never the query string
            "status": int(status) if str(status).isdigit() else status,
            "duration_ms": round(atoms.get("D", 0) / 1000, 1),
            "bytes": atoms.get("B"),
            "remote_addr": atoms.get("h"),
            "forwarded_for": atoms.get("{x-forwarded-for}i"),
            "request_id": atoms.get("{x-request-id}o"),
            "user_agent": atoms.get("a"),
        }
        return redact(json.dumps({k: v for k, v in entry.items() if v is not None}, default=str))


class TextFormatter(logging.Formatter):
    """The demo's plain lines, with the request id and the same masking."""

    def __init__(self):
        super().__init__("%(asctime)s %(levelname)s %(name)s %(request_id)s%(message)s")

    def format(self, record: logging.LogRecord) -> str:
        rid = _request_id_of(record)
        record.request_id = f"[{rid}] " if rid else ""
        try:
            return redact(super().format(record))
        finally:
            del record.request_id


#: gunicorn's access line in text mode: the path without its query string.
TEXT_ACCESS_FORMAT = '%(h)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms request_id=%({x-request-id}o)s'


def django_logging(*, fmt: str, level: str) -> dict:
    """settings.LOGGING. JSON goes to stdout (one line per record, for the log
    shipper); the demo's text goes to stderr as before."""
    formatter = "json" if fmt == "json" else "text"
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": JsonFormatter}, "text": {"()": TextFormatter}},
        "handlers": {"console": {"class": "logging.StreamHandler", "formatter": formatter,
                                 "stream": "ext://sys.stdout" if fmt == "json" else "ext://sys.stderr"}},
        "root": {"handlers": ["console"], "level": level},
        "loggers": {"axes": {"level": "WARNING"}},
    }


def gunicorn_logging(*, level: str) -> dict:
    """gunicorn's logconfig_dict in JSON mode: its error and access logs as
    JSON lines on stdout."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": JsonFormatter}, "access": {"()": AccessJsonFormatter}},
        "handlers": {
            "console": {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stdout"},
            "error_console": {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stdout"},
            "access_console": {"class": "logging.StreamHandler", "formatter": "access",
                               "stream": "ext://sys.stdout"},
        },
        "root": {"level": level, "handlers": ["console"]},
        "loggers": {
            "gunicorn.error": {"level": level, "handlers": ["error_console"], "propagate": False},
            "gunicorn.access": {"level": "INFO", "handlers": ["access_console"], "propagate": False},
        },
    }
