"""Settings come from the environment and fail loudly on bad values."""

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
