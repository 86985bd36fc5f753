"""Structured logs (config/logs.py) and the request id (config/middleware.py)."""

import io
import json
import logging
import sys
from types import SimpleNamespace

import pytest
from django.test import Client

from config import celery as celery_config
from config.logs import AccessJsonFormatter, JsonFormatter, TextFormatter, redact, request_id


def record(message="hello", *args, level=logging.INFO, name="complaints.test", exc_info=None, **extra):
    rec = logging.LogRecord(name, level, __file__, 1, message, args, exc_info)
    rec.__dict__.update(extra)
    return rec


def as_json(rec) -> dict:
    line = JsonFormatter().format(rec)
    assert "\n" not in line
    return json.loads(line)


def test_a_record_is_one_json_object_with_time_level_logger_and_message():
    entry = as_json(record("swept %d cases", 3))
    assert entry["level"] == "INFO"
    assert entry["logger"] == "complaints.test"
    assert entry["message"] == "swept 3 cases"
    assert entry["time"].endswith("+00:00")


def test_extras_become_keys_and_the_request_object_is_left_out():
    entry = as_json(record("Not Found: /x/", status_code=404, request=object(), slot=12))
    assert entry["status_code"] == 404
    assert entry["slot"] == 12
    assert "request" not in entry


def test_an_exception_is_one_key_of_the_same_line():
    try:
        raise ValueError("boom")
    except ValueError:
        entry = as_json(record("failed", level=logging.ERROR, exc_info=sys.exc_info()))
    assert "ValueError: boom" in entry["exc_info"]


def test_the_request_id_is_written_when_one_is_being_served():
    token = request_id.set("0123456789abcdef")
    try:
        assert as_json(record())["request_id"] == "0123456789abcdef"
        assert "[0123456789abcdef]" in TextFormatter().format(record())
    finally:
        request_id.reset(token)
    assert "request_id" not in as_json(record())


@pytest.mark.parametrize("text,masked", [
    ("called 13800138000 twice", "called 138****8000 twice"),
    ("phone 138-0013-8000", "phone 138****8000"),
    ("id 11010119900307851X", "id 110101********851X"),
    ("id 110101199003078515.", "id 110101********8515."),
])
def test_phone_and_id_numbers_never_reach_a_log_line(text, masked):
    assert redact(text) == masked
    assert as_json(record(text))["message"] == masked
    assert as_json(record("lookup", phone=text))["phone"] == masked
    assert masked in TextFormatter().format(record(text))


@pytest.mark.parametrize("text", ["TS-20261116-000123", "took 1763280000123 ms", "task 3f2a13800138000b"])
def test_other_numbers_are_left_alone(text):
    assert redact(text) == text


def test_gunicorn_access_lines_become_json_without_the_query_string():
    atoms = {"m": "GET", "U": "/workspace/", "q": "q=13800138000", "s": "200", "D": 12345, "B": 512,
             "h": "10.0.0.5", "a": "Mozilla", "{x-request-id}o": "abcdef0123456789",
             "r": "GET /workspace/?q=13800138000 HTTP/1.1"}
    rec = record("%(h)s %(r)s", name="gunicorn.access")
    rec.args = atoms
    entry = json.loads(AccessJsonFormatter().format(rec))
    assert entry["message"] == "GET /workspace/ 200"
    assert entry["path"] == "/workspace/"
    assert entry["status"] == 200
    assert entry["duration_ms"] == 12.3
    assert entry["request_id"] == "abcdef0123456789"
    assert "13800138000" not in json.dumps(entry)


# --- X-Request-ID -----------------------------------------------------------------------


def test_every_answer_gets_a_new_request_id():
    first, second = Client().get("/login/"), Client().get("/login/")
    assert len(first["X-Request-ID"]) == 32
    assert first["X-Request-ID"] != second["X-Request-ID"]


def test_the_proxy_s_request_id_is_kept():
    response = Client().get("/login/", headers={"X-Request-ID": "nginx-5f2b9c0e1d"})
    assert response["X-Request-ID"] == "nginx-5f2b9c0e1d"


@pytest.mark.parametrize("given", ["short", "a b c d e f g h", "x" * 200, "id\r\nSet-Cookie: a=b"])
def test_a_request_id_that_is_not_sane_is_replaced(given):
    response = Client().get("/login/", headers={"X-Request-ID": given})
    assert response["X-Request-ID"] != given
    assert len(response["X-Request-ID"]) == 32


@pytest.mark.django_db
def test_log_lines_written_while_serving_a_request_carry_its_id():
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("django.request")
    logger.addHandler(handler)
    try:
        response = Client().get("/no-such-page/", headers={"X-Request-ID": "req-0000000001"})
    finally:
        logger.removeHandler(handler)
    assert response.status_code in (302, 404)
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert lines, "Django logged nothing for a missing page"
    assert {line["request_id"] for line in lines} == {"req-0000000001"}
    assert request_id.get() is None  # nothing leaks into the next request


def test_a_task_started_by_a_request_logs_the_request_s_id():
    headers = {}
    token = request_id.set("req-0000000002")
    try:
        celery_config._send_request_id(headers=headers)
    finally:
        request_id.reset(token)
    assert headers == {"request_id": "req-0000000002"}
    task = SimpleNamespace(request=SimpleNamespace(**headers))
    celery_config._receive_request_id(task_id="t1", task=task)
    assert request_id.get() == "req-0000000002"
    celery_config._forget_request_id(task_id="t1", task=task)
    assert request_id.get() is None
