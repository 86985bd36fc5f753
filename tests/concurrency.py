"""Run callables at the same moment in threads, each on its own DB connection;
wait for another process to get somewhere."""

import threading
import time

import pytest
from django.db import connection


def race(*callables, timeout: float = 30):
    """Start every callable at once; return each one's result or exception."""
    barrier = threading.Barrier(len(callables))
    results: list = [None] * len(callables)

    def run(i, fn):
        try:
            barrier.wait(timeout)
            results[i] = fn()
        except Exception as exc:  # noqa: BLE001 - the caller inspects it
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, fn)) for i, fn in enumerate(callables)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout)
    return results


def wait_for(predicate, what: str, *, timeout: float = 150.0) -> None:
    """Poll ``predicate`` until it is true, or fail the test saying what did not
    happen. For other processes (a Celery worker, beat, Redis): there is nothing
    to synchronise on but what they leave in the database or broker."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.25)
    pytest.fail(f"timed out waiting for {what}")
