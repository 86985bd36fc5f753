"""GET /healthz: public JSON for load balancers and monitoring; 200 when the
database, Redis (when configured) and a recent deadline sweep are fine, else 503."""

import datetime as dt
import math
from unittest import mock

import pytest
from django.conf import settings as django_settings
from django.db import OperationalError, connections
from django.test import Client
from django.utils import timezone

from ops.models import Heartbeat
from ops.services import heartbeat_record
from tests.conftest import require_service

pytestmark = pytest.mark.django_db
REDIS_URL = django_settings.REDIS_URL  # the real one, before the fixture below hides it


@pytest.fixture(autouse=True)
def _no_redis(settings):
    settings.REDIS_URL = ""
    settings.HEALTH_SWEEP_MAX_AGE_SECONDS = 300


def healthz():
    response = Client().get("/healthz")
    assert response["Content-Type"] == "application/json"
    return response.status_code, response.json()


def swept(seconds_ago: float) -> None:
    heartbeat_record(name="sweep", at=timezone.now() - dt.timedelta(seconds=seconds_ago))


def test_it_answers_200_ok_without_sign_in_when_all_is_well():
    swept(30)
    status, body = healthz()
    assert status == 200
    assert body["status"] == "ok"
    assert body["checks"]["database"]["status"] == "ok"
    assert body["checks"]["database"]["latency_ms"] >= 0
    assert body["checks"]["sweep"]["status"] == "ok"
    assert 30 <= body["checks"]["sweep"]["age_seconds"] < 60
    assert body["checks"]["sweep"]["max_age_seconds"] == 300
    assert "redis" not in body["checks"]  # not configured


def test_it_is_never_cached():
    swept(1)
    assert "no-cache" in Client().get("/healthz")["Cache-Control"]


def test_a_sweep_older_than_the_threshold_answers_503():
    swept(301)
    status, body = healthz()
    assert status == 503
    assert body["status"] == "fail"
    assert body["checks"]["sweep"]["status"] == "fail"
    assert body["checks"]["sweep"]["error"] == "the last sweep is too old"
    assert body["checks"]["sweep"]["age_seconds"] >= 301
    assert body["checks"]["database"]["status"] == "ok"


def test_no_sweep_ever_answers_503():
    status, body = healthz()
    assert status == 503
    assert body["checks"]["sweep"]["error"] == "no sweep has finished yet"


def test_the_threshold_comes_from_the_settings(settings):
    settings.HEALTH_SWEEP_MAX_AGE_SECONDS = 20
    swept(30)
    assert healthz()[0] == 503


def test_a_database_that_does_not_answer_gives_503_and_names_only_the_error_class():
    swept(1)
    with mock.patch.object(connections["default"], "cursor", side_effect=OperationalError("host db1 password x")):
        status, body = healthz()
    assert status == 503
    assert body["checks"]["database"] == {"status": "fail", "error": "OperationalError",
                                          "latency_ms": body["checks"]["database"]["latency_ms"]}
    assert "db1" not in str(body)


def test_a_configured_redis_that_is_down_gives_503(settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    swept(1)
    status, body = healthz()
    assert status == 503
    assert body["checks"]["redis"]["status"] == "fail"
    assert body["checks"]["redis"]["error"] == "ConnectionError"


@pytest.mark.redis
def test_a_configured_redis_that_answers_is_ok(settings):
    require_service("Redis (REDIS_URL)", bool(REDIS_URL))
    settings.REDIS_URL = REDIS_URL
    swept(1)
    status, body = healthz()
    assert status == 200, body
    assert body["checks"]["redis"]["status"] == "ok"


@pytest.mark.django_db(databases=["default", "replica"], transaction=True, serialized_rollback=True)
def test_the_replica_is_checked_when_reports_read_from_it(settings):
    settings.REPORTING_DATABASE = "replica"
    swept(1)
    status, body = healthz()
    assert status == 200, body
    assert body["checks"]["replica"]["status"] == "ok"
    assert body["checks"]["replica"]["lag_seconds"] == 0.0
    assert body["checks"]["replica"]["max_lag_seconds"] == 30


@pytest.mark.django_db(databases=["default", "replica"], transaction=True, serialized_rollback=True)
def test_the_replicas_lag_is_shown_and_a_lag_beyond_the_limit_answers_503(settings):
    settings.REPORTING_DATABASE = "replica"
    settings.REPORTING_MAX_LAG_SECONDS = 30
    swept(1)
    with mock.patch("ops.health.replica_lag", return_value=12.34):
        status, body = healthz()
    assert status == 200, body
    assert body["checks"]["replica"]["lag_seconds"] == 12.3
    with mock.patch("ops.health.replica_lag", return_value=30.5):
        status, body = healthz()
    assert status == 503
    assert body["checks"]["replica"] == {**body["checks"]["replica"], "status": "fail", "lag_seconds": 30.5,
                                         "error": "the replica is too far behind; reports read the primary"}
    with mock.patch("ops.health.replica_lag", return_value=math.inf):  # replayed nothing since it started
        status, body = healthz()
    assert status == 503 and body["checks"]["replica"]["lag_seconds"] is None
    with mock.patch("ops.health.replica_lag", side_effect=OperationalError("refused")):
        status, body = healthz()
    assert status == 503
    assert body["checks"]["replica"]["error"] == "OperationalError"
    assert "lag_seconds" not in body["checks"]["replica"]


def test_the_answer_says_nothing_but_statuses_and_timings():
    swept(1)
    _, body = healthz()
    assert set(body) == {"status", "checks"}
    for check in body["checks"].values():
        assert set(check) <= {"status", "latency_ms", "error", "age_seconds", "max_age_seconds", "lag_seconds",
                              "max_lag_seconds"}


def test_only_get_is_answered():
    assert Client().post("/healthz").status_code == 405


def test_the_beat_sweep_task_records_the_heartbeat_health_reads():
    from complaints.tasks import sweep_deadlines

    sweep_deadlines.apply(kwargs={"slot": 60})
    assert Heartbeat.objects.get(name="sweep").at > timezone.now() - dt.timedelta(seconds=30)
    assert healthz()[0] == 200


def test_it_is_exempt_from_the_https_redirect_for_probes_inside_the_network(settings):
    settings.SECURE_SSL_REDIRECT = True
    swept(1)
    assert Client().get("/healthz").status_code == 200
    assert Client().get("/login/").status_code == 301


def test_a_load_balancer_can_ask_for_the_database_alone(settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # down, and the sweep never ran: not asked
    response = Client().get("/healthz?check=database")
    assert response.status_code == 200
    assert set(response.json()["checks"]) == {"database"}


def test_an_unknown_check_name_is_refused_so_a_typo_never_passes():
    response = Client().get("/healthz?check=databse")
    assert response.status_code == 400
    assert response.json()["error"] == "unknown check: databse"
