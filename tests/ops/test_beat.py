"""Beat cannot fire twice: two real ``celery beat`` processes against Redis.

1. With RedBeat (the setting whenever REDIS_URL is set) one beat holds the
   lock in Redis and sends every tick; the other waits and sends nothing until
   the first stops, then takes over.
2. Even two schedulers that both send every tick (plain file-schedule beats,
   as if someone started beat twice without RedBeat) sweep once per slot: the
   worker claims each slot once (ops.services.slot_claim) and skips the copy.

Both run on the Redis database of REDIS_URL and this test process's own queue
(tests/conftest.py), with a 2-second sweep interval.
"""

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from tests.concurrency import wait_for
from tests.conftest import require_service

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.redis
SWEEP = "complaints.tasks.sweep_deadlines"


@pytest.fixture
def broker():
    require_service("Redis (REDIS_URL)", bool(settings.REDIS_URL))
    import redis

    client = redis.Redis.from_url(settings.REDIS_URL)
    queue = os.environ["CELERY_QUEUE"]

    def clean():
        client.delete(queue, *client.keys(f"redbeat:{queue}:*"))

    clean()
    yield client, queue
    clean()


@pytest.fixture
def processes(tmp_path):
    started = []

    def start(name, *args, env=None):
        out = open(tmp_path / f"{name}.log", "w")
        process = subprocess.Popen([sys.executable, "-m", "celery", "-A", "config", *args], cwd=ROOT,
                                   env=env, stdout=out, stderr=subprocess.STDOUT)
        process.log = tmp_path / f"{name}.log"
        started.append((process, out))
        return process

    yield start
    for process, out in started:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    for process, out in started:
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()
        out.close()


def environment(tmp_path, **extra) -> dict:
    return {**os.environ, "REDIS_URL": settings.REDIS_URL, "SWEEP_INTERVAL_SECONDS": "2",
            "DJANGO_LOG_FORMAT": "json", "DJANGO_LOG_LEVEL": "INFO", "DJANGO_VAR_DIR": str(tmp_path), **extra}


def records(process) -> list[dict]:
    found = []
    for line in process.log.read_text().splitlines():
        try:
            found.append(json.loads(line))
        except ValueError:
            continue  # the start-up banner, or a line still being written
    return found


def said(process, text) -> int:
    return sum(text in r.get("message", "") for r in records(process))


def sweeps_queued(client, queue) -> list[int]:
    """The pid of the process that sent each sweep message waiting in the queue."""
    pids = []
    for raw in client.lrange(queue, 0, -1):
        headers = json.loads(raw)["headers"]
        if headers["task"] == SWEEP:
            pids.append(int(headers["origin"].split("@")[0].removeprefix("gen")))
    return pids


def test_two_redbeat_beats_send_each_tick_once_and_the_second_takes_over(broker, processes, tmp_path):
    client, queue = broker
    env = environment(tmp_path)
    first = processes("beat-1", "beat", f"--schedule={tmp_path / 'b1'}", env=env)
    second = processes("beat-2", "beat", f"--schedule={tmp_path / 'b2'}", env=env)
    beats = (first, second)
    wait_for(lambda: all(said(b, "beat: Starting") for b in beats), "both beats to start")
    wait_for(lambda: any(said(b, "beat: Acquired lock") for b in beats), "one beat to take the lock")
    holder, waiting = beats if said(first, "beat: Acquired lock") else beats[::-1]
    wait_for(lambda: len(sweeps_queued(client, queue)) >= 4, "four ticks of the holder")

    assert set(sweeps_queued(client, queue)) == {holder.pid}
    assert said(waiting, "Sending due task") == 0
    assert said(waiting, "beat: Acquired lock") == 0

    # The holder stops (a deploy, a crash): the waiting beat takes the lock and sends.
    sent_by_holder = len(sweeps_queued(client, queue))
    holder.send_signal(signal.SIGTERM)
    holder.wait(30)
    wait_for(lambda: said(waiting, "beat: Acquired lock"), "the second beat to take over", timeout=60)
    wait_for(lambda: waiting.pid in sweeps_queued(client, queue), "a tick of the second beat")
    pids = sweeps_queued(client, queue)
    assert pids.count(holder.pid) == sent_by_holder  # the stopped beat sent nothing more
    assert set(pids) == {holder.pid, waiting.pid}


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_schedulers_sending_the_same_ticks_sweep_once_per_slot(broker, processes, tmp_path):
    require_service("PostgreSQL (DATABASE_URL)", connection.vendor == "postgresql")
    db = connection.settings_dict
    env = environment(tmp_path, DATABASE_URL=f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}")
    plain = ["beat", "--scheduler", "celery.beat:PersistentScheduler"]  # no lock: both send every tick
    beats = [processes(f"beat-{i}", *plain, f"--schedule={tmp_path / f'b{i}'}", env=env) for i in (1, 2)]
    worker = processes("worker", "worker", "--pool=solo", "-Q", os.environ["CELERY_QUEUE"], "--without-heartbeat",
                       "--without-gossip", "--without-mingle", env=env)

    def claims():
        return [r for r in records(worker) if r.get("periodic") == "sweep-deadlines"]

    wait_for(lambda: len(claims()) >= 8, "eight sweep messages to reach the worker")

    assert all(said(b, "Sending due task sweep-deadlines") >= 2 for b in beats)  # both really send
    ran = [r["slot"] for r in claims() if r["message"] == "periodic slot claimed"]
    skipped = [r["slot"] for r in claims() if r["message"].startswith("periodic slot already taken")]
    assert len(ran) == len(set(ran)), f"a slot swept twice: {ran}"
    assert skipped, "no copy was skipped"
    assert set(skipped) <= set(ran)  # each copy skipped was swept by the other
