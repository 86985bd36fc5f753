"""gunicorn for the web processes: ``gunicorn -c config/gunicorn.conf.py config.wsgi``
(the Procfile's ``web``). Every value comes from the environment; the defaults
suit a 2-core machine that also runs a worker (see docs/DEPLOY.md).

| variable | default | |
|---|---|---|
| GUNICORN_BIND | 127.0.0.1:$PORT | ``0.0.0.0:8000`` on a web machine behind the proxy |
| PORT | 8000 | (honcho sets it from .env) |
| WEB_CONCURRENCY | number of cores | worker processes |
| GUNICORN_THREADS | 4 | threads per process (gthread) |
| GUNICORN_TIMEOUT | 30 | seconds before a stuck worker is killed and replaced |
| GUNICORN_GRACEFUL_TIMEOUT | 30 | seconds to finish requests on restart/stop |
| GUNICORN_KEEPALIVE | 5 | seconds to keep a proxy connection open |
| GUNICORN_MAX_REQUESTS | 1000 | requests before a process is replaced (± jitter) |
| FORWARDED_ALLOW_IPS | 127.0.0.1 | (gunicorn's own) proxies whose X-Forwarded-* it trusts |

Logs follow DJANGO_LOG_FORMAT like the app (config/logs.py): JSON lines on
stdout in production, one per access with the request id and the path without
its query string.
"""

import multiprocessing
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

from django.conf import settings  # noqa: E402  (fails at start-up on a bad setting)

from config import logs  # noqa: E402
from config.env import env, envint  # noqa: E402

bind = env("GUNICORN_BIND") or f"127.0.0.1:{envint('PORT', 8000)}"
workers = envint("WEB_CONCURRENCY", multiprocessing.cpu_count())
threads = envint("GUNICORN_THREADS", 4)
worker_class = "gthread"
timeout = envint("GUNICORN_TIMEOUT", 30)
graceful_timeout = envint("GUNICORN_GRACEFUL_TIMEOUT", 30)
keepalive = envint("GUNICORN_KEEPALIVE", 5)
max_requests = envint("GUNICORN_MAX_REQUESTS", 1000)
max_requests_jitter = envint("GUNICORN_MAX_REQUESTS_JITTER", max(max_requests // 10, 1))
# Each process imports the app itself: a restart picks up new code, and no
# database connection is shared across a fork.
preload_app = False
# Heartbeat files in memory, not on a possibly slow disk.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
proc_name = "complaints-web"
# No gunicornc control socket: one fixed path per user would collide between
# several gunicorns on one machine; the process manager restarts and stops it.
control_socket_disable = True

accesslog = "-"
errorlog = "-"
loglevel = settings.LOG_LEVEL.lower()
access_log_format = logs.TEXT_ACCESS_FORMAT
if settings.LOG_FORMAT == "json":
    logconfig_dict = logs.gunicorn_logging(level=settings.LOG_LEVEL)
