"""Settings come from the environment and fail loudly on bad values."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from config.env import envbool, envint, envlist

ROOT = Path(__file__).resolve().parents[2]


def test_envbool_refuses_a_value_that_is_not_a_boolean(monkeypatch):
    monkeypatch.setenv("X_FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured):
        envbool("X_FLAG", False)


@pytest.mark.parametrize("raw,expected", [("true", True), ("1", True), ("off", False), ("", False)])
def test_envbool_reads_the_usual_spellings(monkeypatch, raw, expected):
    monkeypatch.setenv("X_FLAG", raw)
    assert envbool("X_FLAG", not expected) is expected


def test_envint_refuses_text(monkeypatch):
    monkeypatch.setenv("X_INT", "ten")
    with pytest.raises(ImproperlyConfigured):
        envint("X_INT", 1)


def test_envlist_splits_on_commas(monkeypatch):
    monkeypatch.setenv("X_LIST", "a.example, b.example,,")
    assert envlist("X_LIST", []) == ["a.example", "b.example"]


def _check(env: dict, *args) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL"))}
    return subprocess.run([sys.executable, "manage.py", "check", *args], cwd=ROOT, env={**clean, **env},
                          capture_output=True, text=True, timeout=120)


def test_production_settings_pass_check_deploy():
    result = _check({"DJANGO_DEBUG": "false", "DJANGO_SECRET_KEY": "k" * 30 + "-production-secret-value-0123456789",
                     "DJANGO_ALLOWED_HOSTS": "complaints.example.com"}, "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    result = _check({"DJANGO_DEBUG": "false"})
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def _settings(env: dict, *names: str) -> dict:
    """The named settings as the process would see them with ``env``."""
    clean = {k: v for k, v in os.environ.items()
             if not k.startswith(("DJANGO_", "DATABASE_", "REDIS_URL"))}
    script = ("import json, django; django.setup(); from django.conf import settings; "
              f"print(json.dumps({{n: getattr(settings, n, None) for n in {names!r}}}, default=str))")
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120,
                            env={**clean, "DJANGO_SETTINGS_MODULE": "config.settings", **env})
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.splitlines()[-1])


PRODUCTION = {"DJANGO_DEBUG": "false", "DJANGO_SECRET_KEY": "k" * 30 + "-production-secret-value-0123456789",
              "DJANGO_ALLOWED_HOSTS": "complaints.example.com"}


def test_production_logs_json_lines_and_serves_collected_hashed_static_files():
    s = _settings(PRODUCTION, "LOG_FORMAT", "STORAGES", "MIDDLEWARE")
    assert s["LOG_FORMAT"] == "json"
    assert s["STORAGES"]["staticfiles"]["BACKEND"] == "whitenoise.storage.CompressedManifestStaticFilesStorage"
    security = s["MIDDLEWARE"].index("django.middleware.security.SecurityMiddleware")
    assert s["MIDDLEWARE"][security + 1] == "whitenoise.middleware.WhiteNoiseMiddleware"
    assert s["MIDDLEWARE"][0] == "config.middleware.RequestIdMiddleware"


def test_the_demo_logs_text_and_needs_no_collectstatic():
    s = _settings({}, "LOG_FORMAT", "STORAGES")
    assert s["LOG_FORMAT"] == "text"
    assert s["STORAGES"]["staticfiles"]["BACKEND"] == "django.contrib.staticfiles.storage.StaticFilesStorage"


def test_the_log_format_can_be_chosen_and_a_bad_one_stops_the_process():
    assert _settings({**PRODUCTION, "DJANGO_LOG_FORMAT": "text"}, "LOG_FORMAT")["LOG_FORMAT"] == "text"
    result = _check({"DJANGO_LOG_FORMAT": "xml"})
    assert result.returncode != 0
    assert "DJANGO_LOG_FORMAT" in result.stderr


def test_with_redis_beat_keeps_its_schedule_and_lock_in_redis():
    s = _settings({"REDIS_URL": "redis://127.0.0.1:6379/3", "CELERY_QUEUE": "q1"},
                  "CELERY_BEAT_SCHEDULER", "CELERY_REDBEAT_REDIS_URL", "CELERY_REDBEAT_KEY_PREFIX",
                  "CELERY_REDBEAT_LOCK_TIMEOUT")
    assert s["CELERY_BEAT_SCHEDULER"] == "redbeat.RedBeatScheduler"
    assert s["CELERY_REDBEAT_REDIS_URL"] == "redis://127.0.0.1:6379/3"
    assert s["CELERY_REDBEAT_KEY_PREFIX"] == "redbeat:q1:"
    assert s["CELERY_REDBEAT_LOCK_TIMEOUT"] == 30


def test_without_redis_beat_keeps_its_schedule_in_a_file():
    assert _settings({}, "CELERY_BEAT_SCHEDULER")["CELERY_BEAT_SCHEDULER"] is None


def test_every_periodic_task_is_told_its_slot():
    schedule = _settings({"SWEEP_INTERVAL_SECONDS": "30"}, "CELERY_BEAT_SCHEDULE")["CELERY_BEAT_SCHEDULE"]
    assert schedule["sweep-deadlines"]["kwargs"] == {"slot": 30}
    # each is sent every "slot" seconds: on its slots' boundaries when a whole number of minutes divides an hour
    from config.schedules import every

    assert all(str(every(entry["kwargs"]["slot"])) == str(entry["schedule"]) for entry in schedule.values())
    assert schedule["sweep-deadlines"]["schedule"] == 30.0
    assert schedule["deliver-notices"]["schedule"] == "<crontab: */1 * * * * (m/h/dM/MY/d)>"


def test_a_replica_url_adds_the_replica_reports_read_from_and_tests_mirror_it():
    s = _settings({"DATABASE_REPLICA_URL": "postgres://reader@db2:5432/complaints"},
                  "DATABASES", "REPORTING_DATABASE", "DATABASE_ROUTERS")
    assert s["DATABASES"]["replica"]["HOST"] == "db2"
    assert s["DATABASES"]["replica"]["TEST"]["MIRROR"] == "default"
    assert s["REPORTING_DATABASE"] == "replica"
    assert s["DATABASE_ROUTERS"] == ["config.routers.ReportingRouter"]


def test_without_a_replica_reports_read_the_primary():
    s = _settings({}, "DATABASES", "REPORTING_DATABASE")
    assert "replica" not in s["DATABASES"]
    assert s["REPORTING_DATABASE"] == "default"


def test_production_with_redis_and_a_replica_behind_a_proxy_passes_check_deploy():
    result = _check({**PRODUCTION, "REDIS_URL": "redis://127.0.0.1:6379/3", "DJANGO_BEHIND_PROXY": "true",
                     "DATABASE_REPLICA_URL": "postgres://reader@db2:5432/complaints"},
                    "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
