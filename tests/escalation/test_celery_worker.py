"""A real Celery worker with beat, against the local Redis and PostgreSQL:
it receives a task, and the beat-scheduled sweep runs on its own."""

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from complaints.models import Complaint
from escalation.models import Notification
from tests.concurrency import wait_for
from tests.conftest import days_ago, require_service

pytestmark = [pytest.mark.redis, pytest.mark.postgres,
              pytest.mark.django_db(transaction=True, serialized_rollback=True)]
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def worker(tmp_path):
    require_service("Redis (REDIS_URL)", bool(settings.REDIS_URL))
    require_service("PostgreSQL (DATABASE_URL)", connection.vendor == "postgresql")
    db = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "REDIS_URL": settings.REDIS_URL,
        "SWEEP_INTERVAL_SECONDS": "2",
        "DJANGO_VAR_DIR": str(tmp_path),
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "--beat", "--concurrency=1",
         "--pool=solo", "--loglevel=INFO", f"--schedule={tmp_path / 'beat-schedule'}",
         "-Q", os.environ["CELERY_QUEUE"], "--without-heartbeat", "--without-gossip", "--without-mingle"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    yield process
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()


def test_a_real_worker_receives_a_task(worker, staff):
    from escalation.notifications import notify
    from escalation.tasks import deliver_notifications

    user = staff["handler_gd"]
    user.email = "handler@example.com"
    user.save()
    (note,) = notify(recipients=[user], kind="assigned", title="测试通知")
    deliver_notifications.delay()
    wait_for(lambda: Notification.objects.get(pk=note.pk).email_status == "sent", "e-mail sent")


@pytest.mark.real_clock  # the worker sweeps on the real clock
def test_the_beat_scheduled_sweep_runs_by_itself(worker, submit):
    case = submit(by="handler_gd", received_at=days_ago(12))  # callback overdue, resolution not yet
    wait_for(lambda: Complaint.objects.get(pk=case.pk).is_upgraded, "the sweep to upgrade the case")
    assert Notification.objects.filter(complaint=case, kind="overdue").count() == 2
