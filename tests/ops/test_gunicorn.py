"""The production web process for real: gunicorn with config/gunicorn.conf.py
under production settings, static files collected and served by whitenoise,
JSON access lines with the request id and without query strings."""

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PHONE = "13800138000"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url, **headers):
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


@pytest.fixture
def production(tmp_path):
    port = _free_port()
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("DJANGO_", "DATABASE_", "REDIS_URL", "GUNICORN_", "WEB_CONCURRENCY"))}
    env.update(DJANGO_DEBUG="false", DJANGO_SECRET_KEY="s" * 40 + "-gunicorn-test-secret-0123456789",
               DJANGO_ALLOWED_HOSTS="127.0.0.1", DJANGO_BEHIND_PROXY="true", DJANGO_VAR_DIR=str(tmp_path),
               PORT=str(port), WEB_CONCURRENCY="1", GUNICORN_THREADS="2")
    collected = subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT,
                               env=env, capture_output=True, text=True, timeout=300)
    assert collected.returncode == 0, collected.stderr
    log = tmp_path / "web.log"
    with open(log, "w") as out:
        process = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", "config/gunicorn.conf.py", "config.wsgi"],
                                   cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            get(base + "/healthz")
            break
        except OSError:
            time.sleep(0.25)  # waiting for another process to listen
    else:
        process.kill()
        pytest.fail("gunicorn did not start:\n" + log.read_text())
    yield base, process, log
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        process.wait(30)


def test_gunicorn_serves_pages_static_files_and_health_with_json_logs(production):
    base, process, log = production
    status, _, body = get(base + "/healthz")
    health = json.loads(body)
    assert health["checks"]["database"]["status"] == "ok"
    # an unmigrated database has no sweep: the health check says so, it does not crash
    assert status == 503 and health["checks"]["sweep"]["status"] == "fail"

    https = {"X-Forwarded-Proto": "https"}  # what the TLS proxy adds
    status, headers, body = get(f"{base}/login/?next=/workspace/%3Fq%3D{PHONE}", **https,
                                **{"X-Request-ID": "proxy-req-000001"})
    assert status == 200
    assert headers["X-Request-ID"] == "proxy-req-000001"
    css = re.search(r'href="(/static/css/app\.[0-9a-f]{12}\.css)"', body.decode())
    assert css, "the page does not name the hashed stylesheet"

    status, headers, body = get(base + css[1], **https, **{"Accept-Encoding": "gzip"})
    assert status == 200
    assert headers["Content-Encoding"] == "gzip"
    assert "immutable" in headers["Cache-Control"]

    process.send_signal(signal.SIGTERM)
    process.wait(30)
    lines = [line for line in log.read_text().splitlines() if line.strip()]
    entries = [json.loads(line) for line in lines]  # every line is one JSON object
    access = [e for e in entries if e["logger"] == "gunicorn.access"]
    login = next(e for e in access if e["path"] == "/login/")
    assert login["status"] == 200 and login["method"] == "GET"
    assert login["request_id"] == "proxy-req-000001"
    assert login["duration_ms"] >= 0
    assert PHONE not in log.read_text()
