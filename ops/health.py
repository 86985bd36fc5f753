"""The checks behind GET /healthz. Each says ``ok`` or ``fail`` and how long it
took; a failure names the exception's class, never its text (which may hold
host names or credentials). Nothing here reads personal data."""

import math
import time

from django.conf import settings
from django.db import connections

from config import clock
from config.routers import replica_lag, too_far_behind
from ops.models import Heartbeat


class Unhealthy(Exception):
    """A failed check whose message is safe to show."""


def _timed(check) -> dict:
    started = time.perf_counter()
    try:
        check()
        result = {"status": "ok"}
    except Unhealthy as exc:
        result = {"status": "fail", "error": str(exc)}
    except Exception as exc:  # any failure is the answer, not a server error
        result = {"status": "fail", "error": type(exc).__name__}
    result["latency_ms"] = round((time.perf_counter() - started) * 1000, 1)
    return result


def database(alias: str) -> dict:
    def select_one():
        # A broken connection is closed at the end of the request (CONN_HEALTH_CHECKS).
        with connections[alias].cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()

    return _timed(select_one)


def replica(alias: str) -> dict:
    """The read replica answers, and how far it is behind the primary
    (config.routers.replica_lag, the measure the reports use to choose)."""
    found = {"max_lag_seconds": settings.REPORTING_MAX_LAG_SECONDS}  # the limit too_far_behind applies

    def lag():
        seconds = replica_lag(alias)
        found["lag_seconds"] = None if math.isinf(seconds) else round(seconds, 1)  # None: not known yet
        if too_far_behind(seconds):
            raise Unhealthy("the replica is too far behind; reports read the primary")

    result = _timed(lag)
    return {**result, **found}


def redis(url: str) -> dict:
    def ping():
        import redis as redis_client

        client = redis_client.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1)
        try:
            client.ping()
        finally:
            client.close()

    return _timed(ping)


def sweep(max_age_seconds: int) -> dict:
    """How long ago the last deadline sweep finished (ops.Heartbeat "sweep")."""
    found = {"max_age_seconds": max_age_seconds}

    def age():
        at = Heartbeat.objects.filter(name="sweep").values_list("at", flat=True).first()
        if at is None:
            raise Unhealthy("no sweep has finished yet")
        found["age_seconds"] = round((clock.now() - at).total_seconds(), 1)
        if found["age_seconds"] > max_age_seconds:
            raise Unhealthy("the last sweep is too old")

    result = _timed(age)
    return {**result, **found}


CHECKS = ("database", "replica", "redis", "sweep")


def run(only: set[str] | None = None) -> tuple[bool, dict]:
    """Every check (or the ``only`` ones): the databases the app uses, Redis when
    configured, the age of the last sweep."""
    wanted = only or set(CHECKS)
    checks = {}
    if "database" in wanted:
        checks["database"] = database("default")
    if "replica" in wanted and settings.REPORTING_DATABASE != "default":
        checks["replica"] = replica(settings.REPORTING_DATABASE)
    if "redis" in wanted and settings.REDIS_URL:
        checks["redis"] = redis(settings.REDIS_URL)
    if "sweep" in wanted:
        checks["sweep"] = sweep(settings.HEALTH_SWEEP_MAX_AGE_SECONDS)
    return all(c["status"] == "ok" for c in checks.values()), checks
