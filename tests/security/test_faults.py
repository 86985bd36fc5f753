"""Faults against the real services: PostgreSQL connections dropped, Redis
stopped, a worker killed in the middle of a sweep. Nothing half-written,
nothing lost, nothing told twice, and the app recovers by itself."""

import os
import shutil
import signal
import socket
import subprocess
import sys
from pathlib import Path

import psycopg2
import pytest
from django.conf import settings
from django.db import connection
from rest_framework.test import APIClient

from complaints.models import Complaint
from escalation.models import Notification
from tests.concurrency import wait_for
from tests.conftest import api_payload, days_ago, require_service

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _kill_my_database_session():
    """What a PostgreSQL restart does to the app: its open session is gone."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (pid,) = cursor.fetchone()
    db = connection.settings_dict
    other = psycopg2.connect(dbname=db["NAME"], user=db["USER"], host=db["HOST"], port=db["PORT"])
    other.autocommit = True
    with other.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
    other.close()


def test_database_dropped_mid_request_gives_a_clear_503_saves_nothing_and_recovers(postgres, staff):
    client = APIClient()
    client.force_authenticate(staff["handler_gd"])
    before = Complaint.objects.count()
    _kill_my_database_session()
    response = client.post("/api/v1/complaints/", api_payload(), format="json")
    assert response.status_code == 503
    assert "数据库" in response.json()["detail"]
    # the app recovers by itself: the next request opens a fresh connection
    response = client.post("/api/v1/complaints/", api_payload(), format="json")
    assert response.status_code == 201, response.content
    assert Complaint.objects.count() == before + 1


def test_a_retry_after_the_answer_was_lost_answers_the_complaint_already_saved(postgres, staff, monkeypatch):
    """The connection drops between the commit and the answer: the desk hears
    503 "not known whether it was saved", retries with the same key, and gets
    the complaint that was saved, not a second one."""
    from complaints.api import views as api_views

    client = APIClient()
    client.force_authenticate(staff["handler_gd"])
    before = Complaint.objects.count()
    just_logged = api_views.selectors.complaint_just_logged

    def committed_then_dropped(complaint):
        _kill_my_database_session()  # the intake's transaction has committed
        # The answer is built from memory; a read at this point meets the dropped connection, as any
        # step between the commit and the answer would.
        Complaint.objects.filter(pk=complaint.pk).exists()
        return just_logged(complaint)

    monkeypatch.setattr(api_views.selectors, "complaint_just_logged", committed_then_dropped)
    lost = client.post("/api/v1/complaints/", api_payload(), format="json", HTTP_IDEMPOTENCY_KEY="desk-3-0042")
    assert lost.status_code == 503
    assert "无法确认" in lost.json()["detail"] and "Idempotency-Key" in lost.json()["detail"]
    assert Complaint.objects.count() == before + 1  # it had been saved
    saved = Complaint.objects.latest("pk")
    monkeypatch.undo()
    retried = client.post("/api/v1/complaints/", api_payload(), format="json", HTTP_IDEMPOTENCY_KEY="desk-3-0042")
    assert retried.status_code == 200 and retried.json()["number"] == saved.number
    assert Complaint.objects.count() == before + 1


def test_database_dropped_on_a_page_shows_the_chinese_error_page(postgres, staff):
    from django.test import Client

    client = Client()
    client.force_login(staff["handler_gd"])
    _kill_my_database_session()
    response = client.get("/workspace/")
    assert response.status_code == 503
    assert "暂时无法" in response.content.decode()
    assert client.get("/workspace/").status_code == 200


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def private_redis(tmp_path):
    """A Redis of the test's own, which the test may stop and start."""
    binary = shutil.which("redis-server")
    require_service("redis-server binary", binary is not None)
    port = _free_port()

    def start():
        return subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                                 "--appendonly", "no", "--dir", str(tmp_path)],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    state = {"process": None}

    def up():
        state["process"] = start()
        wait_for(lambda: _listening(port), "redis to start", timeout=15)

    def down():
        state["process"].terminate()
        state["process"].wait(10)

    yield {"url": f"redis://127.0.0.1:{port}/0", "up": up, "down": down}
    if state["process"] and state["process"].poll() is None:
        down()


def _listening(port) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


def _env(redis_url, tmp_path, **extra):
    db = connection.settings_dict
    return {**os.environ, "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
            "REDIS_URL": redis_url, "DJANGO_VAR_DIR": str(tmp_path), **extra}


def _worker(env, tmp_path):
    """A worker with its embedded beat, in a process group of its own: the
    beat is a child process, which a signal to the worker alone would orphan."""
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "--beat", "--pool=solo",
         "-Q", env["CELERY_QUEUE"],
         "--loglevel=WARNING", f"--schedule={tmp_path / 'beat'}", "--without-heartbeat",
         "--without-gossip", "--without-mingle"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)


def _stop(worker, sig=signal.SIGTERM):
    """Signal the worker and its beat; nothing of them outlives the test."""
    try:
        os.killpg(worker.pid, sig)
        worker.wait(30)
    except subprocess.TimeoutExpired:
        pass
    finally:
        try:
            os.killpg(worker.pid, signal.SIGKILL)  # whatever is left of the group
        except ProcessLookupError:
            pass
        worker.wait(30)


def test_redis_stopped_intake_and_transitions_work_and_mail_goes_out_when_it_returns(
        postgres, staff, private_redis, tmp_path):
    require_service("Redis (REDIS_URL)", bool(settings.REDIS_URL))
    for user in staff.values():
        user.email = f"{user.username}@example.com"
        user.save(update_fields=["email"])
    private_redis["up"]()
    private_redis["down"]()  # Redis is down from here on
    script = (
        "import time; from complaints import services; from accounts.models import User;"
        "from tests.conftest import intake; t = time.monotonic();"
        "u = User.objects.get(username='handler_gd');"
        "c = services.complaint_submit(by=u, intake=intake(major_impact=True));"
        "services.complaint_verify(complaint_id=c.pk, by=User.objects.get(username='supervisor_gd'));"
        "print(c.pk, round(time.monotonic() - t, 1))"
    )
    result = subprocess.run([sys.executable, "manage.py", "shell", "-c", script], cwd=ROOT, timeout=120,
                            env=_env(private_redis["url"], tmp_path), capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    pk, seconds = result.stdout.split()[-2:]
    assert float(seconds) < 10  # the broker failure did not hold the desk up
    complaint = Complaint.objects.get(pk=int(pk))
    assert complaint.state == "verified"
    pending = Notification.objects.filter(complaint=complaint, email_status="pending")
    # the supervisor (urgent, and now its owner) and the cs_manager (urgent)
    assert pending.count() == 3
    private_redis["up"]()
    worker = _worker(_env(private_redis["url"], tmp_path, SWEEP_INTERVAL_SECONDS="2"), tmp_path)
    try:
        wait_for(lambda: not Notification.objects.filter(complaint=complaint, email_status="pending").exists(),
                 "the queued e-mail to go out", timeout=90)
    finally:
        _stop(worker)
    assert Notification.objects.filter(complaint=complaint, email_status="sent").count() == 3


@pytest.mark.real_clock  # the worker sweeps on the real clock
def test_a_worker_killed_in_the_middle_of_a_sweep_loses_and_duplicates_nothing(
        postgres, staff, submit, tmp_path):
    require_service("Redis (REDIS_URL)", bool(settings.REDIS_URL))
    # callback overdue, resolution not yet: one breach per case
    cases = [submit(by="handler_gd", received_at=days_ago(12)) for _ in range(150)]
    env = _env(settings.REDIS_URL, tmp_path, SWEEP_INTERVAL_SECONDS="2")
    worker = _worker(env, tmp_path)
    try:
        wait_for(lambda: Notification.objects.filter(kind="overdue").exists(), "the sweep to start", timeout=90)
    finally:
        _stop(worker, signal.SIGKILL)  # no warm shutdown: killed mid-run, its beat with it
    told_when_killed = Notification.objects.filter(kind="overdue").count()
    worker = _worker(env, tmp_path)
    try:
        wait_for(lambda: Notification.objects.filter(kind="overdue").count() >= 2 * len(cases),
                 "the next sweep to finish the work", timeout=120)
    finally:
        _stop(worker)
    assert told_when_killed <= 2 * len(cases)
    for case in cases:
        # owner and supervisor, once each: nothing lost, nothing twice
        assert Notification.objects.filter(complaint=case, kind="overdue").count() == 2
