"""A real Celery worker with beat, against the local Redis and PostgreSQL:
it receives a task, and the beat-scheduled sweep runs on its own."""

import os
import signal
import subprocess
import sys
import time
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


@pytest.mark.real_clock  # the worker checks on the real clock
def test_the_eleventh_near_duplicate_is_urgent_within_a_minute(worker, submit):
    """Issue 19: near-duplicates logged without a tag are checked by the worker
    after the intake answers; the 11th makes all eleven urgent within a minute."""
    text = "天河路支行的ATM机把我的银行卡吞了，取款{n}元没取出来卡也没了，大堂经理说要等三个工作日才能取卡"
    cases = [submit(by="front_desk_gd", narrative=text.format(n=100 + i), reason="ATM吞卡", request="")
             for i in range(11)]
    logged = time.monotonic()
    wait_for(lambda: Complaint.objects.filter(pk__in=[c.pk for c in cases], is_batch=True).count() == 11,
             "all eleven to become batch complaints", timeout=60)
    assert time.monotonic() - logged < 60
    assert len(set(Complaint.objects.filter(pk__in=[c.pk for c in cases]).values_list("issue_tag", flat=True))) == 1
