"""The Celery app. Redis is the broker when REDIS_URL is set; otherwise kombu's
filesystem transport under var/celery, so the demo needs no server."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("complaints")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
