"""The Celery app. Redis is the broker when REDIS_URL is set; otherwise kombu's
filesystem transport under var/celery, so the demo needs no server.

Workers and beat log like the web processes (settings.LOGGING, config/logs.py:
JSON lines in production, level DJANGO_LOG_LEVEL), and a task started while a
request is served logs that request's id."""

import os

from celery import Celery, signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("complaints")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.on_after_configure.connect
def _redbeat_settings_by_their_own_names(sender, **kwargs):
    """RedBeat reads CELERY_REDBEAT_* through the namespace, but looks for them
    by their bare names (redbeat_redis_url) to decide whether they are set and
    warns at every start that they are not; give them those names too."""
    names = [key for key in list(sender.conf.keys()) if key.startswith("CELERY_REDBEAT_")]
    sender.conf.update({key.removeprefix("CELERY_").lower(): sender.conf[key] for key in names})


@signals.setup_logging.connect
def _django_logging(**kwargs):
    """Use settings.LOGGING instead of Celery's own log set-up."""
    from logging.config import dictConfig

    from django.conf import settings

    dictConfig(settings.LOGGING)


@signals.before_task_publish.connect
def _send_request_id(headers=None, **kwargs):
    from config.logs import request_id

    if headers is not None and (rid := request_id.get()):
        headers.setdefault("request_id", rid)


_tokens = {}  # task id -> the request id it replaced while it runs


@signals.task_prerun.connect
def _receive_request_id(task_id=None, task=None, **kwargs):
    from config.logs import request_id

    _tokens[task_id] = request_id.set(getattr(task.request, "request_id", None))


@signals.task_postrun.connect
def _forget_request_id(task_id=None, **kwargs):
    from config.logs import request_id

    if (token := _tokens.pop(task_id, None)) is not None:
        request_id.reset(token)
