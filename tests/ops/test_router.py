"""Reports read from the replica, everything else from the primary
(config/routers.py). The replica is a test mirror of the test database (see
tests/conftest.py), so the data is the same and the alias of each query shows
where it went."""

import io
import math
import threading
import time
from unittest import mock

import pytest
from django.contrib.auth.models import Group
from django.db import OperationalError, connections, router
from django.test import Client
from django.test.utils import CaptureQueriesContext

from config.routers import reporting

pytestmark = pytest.mark.django_db(databases=["default", "replica"], transaction=True, serialized_rollback=True)


@pytest.fixture
def replica(settings):
    settings.REPORTING_DATABASE = "replica"
    yield
    connections["replica"].close()


@pytest.fixture
def manager(staff, submit):
    submit(by="handler_gd")
    client = Client()
    client.force_login(staff["manager_gd"])
    return client


def requested(client, path):
    with CaptureQueriesContext(connections["default"]) as primary, \
            CaptureQueriesContext(connections["replica"]) as replica:
        response = client.get(path)
    assert response.status_code == 200, response.content[:300]
    return [q["sql"] for q in primary.captured_queries], [q["sql"] for q in replica.captured_queries]


def touches(queries, table):
    return [q for q in queries if f'"{table}"' in q]


REPORTS = ("/dashboard/", "/dashboard/report/", "/dashboard/report.xlsx", "/dashboard/cases.xlsx",
           "/api/v1/stats/summary/")


def test_reports_read_complaints_from_the_replica(replica, manager):
    for path in REPORTS:
        primary, replica_queries = requested(manager, path)
        assert touches(replica_queries, "complaints_complaint"), path
        assert not touches(primary, "complaints_complaint"), path
        # the signed-in user's session was read before the report began, on the primary
        assert touches(primary, "django_session"), path
        assert not touches(replica_queries, "django_session"), path


def test_ordinary_pages_read_the_primary(replica, staff, submit):
    case = submit(by="handler_gd")
    client = Client()
    client.force_login(staff["handler_gd"])
    for path in ("/workspace/", f"/complaints/{case.pk}/"):
        primary, replica_queries = requested(client, path)
        assert touches(primary, "complaints_complaint")
        assert replica_queries == []


def test_writes_inside_reporting_go_to_the_primary(replica):
    with reporting():
        with CaptureQueriesContext(connections["replica"]) as on_replica:
            Group.objects.create(name="report-test")
            assert Group.objects.select_for_update().filter(name="x").db == "default"
            assert Group.objects.filter(name="report-test").db == "replica"
    assert not [q for q in on_replica.captured_queries if "INSERT" in q["sql"]]
    assert Group.objects.using("default").filter(name="report-test").exists()


def test_without_a_replica_reports_read_the_primary(manager):
    primary, replica_queries = requested(manager, "/dashboard/")
    assert touches(primary, "complaints_complaint")
    assert replica_queries == []


def test_reporting_is_per_thread(replica):
    inside, other = threading.Event(), []

    def other_thread():
        inside.wait(10)
        other.append(router.db_for_read(Group))

    thread = threading.Thread(target=other_thread)
    thread.start()
    with reporting():
        assert router.db_for_read(Group) == "replica"
        inside.set()
        thread.join(10)
    assert other == ["default"]
    assert router.db_for_read(Group) == "default"


def test_migrations_run_on_the_primary_only():
    assert router.allow_migrate("default", "complaints")
    assert not router.allow_migrate("replica", "complaints")


# --- A replica that is down or behind (issue 20): reports read the primary and say so ------------

@pytest.fixture
def measured(monkeypatch):
    """The replica's measured lag, set by the test (a number, or an exception raised)."""
    from config import routers

    monkeypatch.setitem(routers._unreachable, "until", 0.0)
    answer = {"lag": 0.0, "asked": 0}

    def replica_lag(alias):
        answer["asked"] += 1
        if isinstance(answer["lag"], Exception):
            raise answer["lag"]
        return answer["lag"]

    monkeypatch.setattr(routers, "replica_lag", replica_lag)
    return answer


DOWN = "只读副本暂无响应"  # The read replica is not answering


def test_a_replica_that_does_not_answer_sends_every_report_to_the_primary_with_a_note(replica, manager, measured):
    measured["lag"] = OperationalError("connection refused")
    for path in REPORTS:
        response = manager.get(path)
        assert response.status_code == 200, path
        primary, replica_queries = requested(manager, path)
        assert touches(primary, "complaints_complaint"), path
        assert replica_queries == [], path
    assert DOWN in manager.get("/dashboard/").content.decode()
    assert DOWN in manager.get("/dashboard/report/").content.decode()
    assert manager.get("/dashboard/report.xlsx")["X-Reporting-Source"] == "primary; replica unreachable"
    assert manager.get("/dashboard/cases.xlsx")["X-Reporting-Source"] == "primary; replica unreachable"
    assert manager.get("/api/v1/stats/summary/")["X-Reporting-Source"] == "primary; replica unreachable"


def test_the_report_workbook_says_it_was_read_from_the_primary(replica, manager, measured):
    from openpyxl import load_workbook

    measured["lag"] = OperationalError("connection refused")
    sheet = load_workbook(io.BytesIO(manager.get("/dashboard/report.xlsx").content)).active
    assert [c.value for c in sheet[4]][0] == "数据来源"
    assert DOWN in sheet["B4"].value


def test_an_unreachable_replica_is_asked_again_only_after_ten_seconds(replica, manager, measured):
    from config import routers

    measured["lag"] = OperationalError("connection refused")
    manager.get("/dashboard/")
    manager.get("/dashboard/")
    assert measured["asked"] == 1
    assert routers._unreachable["until"] - time.monotonic() <= routers.REPLICA_RETRY_SECONDS
    routers._unreachable["until"] = time.monotonic() - 0.001  # ten seconds later
    measured["lag"] = 0.0
    assert requested(manager, "/dashboard/")[1]
    assert measured["asked"] == 2


def test_reports_read_the_replica_up_to_the_stated_lag_and_the_primary_beyond(replica, manager, measured, settings):
    settings.REPORTING_MAX_LAG_SECONDS = 30
    measured["lag"] = 30.0
    primary, replica_queries = requested(manager, "/dashboard/")
    assert touches(replica_queries, "complaints_complaint")
    page = manager.get("/dashboard/").content.decode()
    assert "副本落后约 30 秒：此后的变动尚未计入" in page  # changes since are not counted yet
    assert manager.get("/api/v1/stats/summary/")["X-Reporting-Source"] == "replica; lag=30.0s"

    measured["lag"] = 30.1
    primary, replica_queries = requested(manager, "/dashboard/")
    assert touches(primary, "complaints_complaint") and replica_queries == []
    assert "只读副本落后 31 秒（超过 30 秒）" in manager.get("/dashboard/").content.decode()
    assert manager.get("/dashboard/cases.xlsx")["X-Reporting-Source"] == "primary; replica behind"


def test_a_replica_less_than_a_second_behind_needs_no_note(replica, manager, measured):
    measured["lag"] = 0.4
    page = manager.get("/dashboard/").content.decode()
    assert "只读副本" not in page and 'data-source="' not in page
    assert manager.get("/api/v1/stats/summary/")["X-Reporting-Source"] == "replica; lag=0.4s"


def test_one_report_reads_one_database_however_deep_its_blocks(replica, measured):
    with reporting() as outer:
        measured["lag"] = OperationalError("gone")
        with reporting() as inner:
            assert inner is outer
            assert router.db_for_read(Group) == "replica"
    assert measured["asked"] == 1


def test_the_replicas_lag_on_postgresql_is_zero_for_a_server_that_is_not_a_standby(replica):
    """The test mirror is the primary itself: nothing to wait for."""
    from config.routers import replica_lag

    assert replica_lag("replica") == 0.0


def test_a_replica_that_fails_during_a_report_has_it_made_again_from_the_primary(replica, manager, measured,
                                                                                    monkeypatch):
    """Stopped between the check and the report's queries, or a query cancelled on the standby:
    the report is made again from the primary, with the note, not answered with a 500."""
    from config import routers
    from dashboards import views

    made_on = []
    context = views._context

    def failing_on_the_replica(form):
        made_on.append(router.db_for_read(Group))
        if made_on[-1] == "replica":
            raise OperationalError("canceling statement due to conflict with recovery")
        return context(form)

    monkeypatch.setattr(views, "_context", failing_on_the_replica)
    response = manager.get("/dashboard/")
    assert response.status_code == 200
    assert made_on == ["replica", "default"]
    assert DOWN in response.content.decode()
    assert routers._unreachable["until"] > time.monotonic()


def test_a_failure_of_the_primary_during_a_report_is_not_hidden(manager, monkeypatch):
    from dashboards import views

    monkeypatch.setattr(views, "_context", mock.Mock(side_effect=OperationalError("the primary is gone")))
    manager.raise_request_exception = False
    assert manager.get("/dashboard/").status_code >= 500
    assert views._context.call_count == 1  # made once: nothing to fall back to


def test_the_case_export_read_from_the_primary_says_so_on_a_sheet_of_its_own(replica, manager, measured):
    from openpyxl import load_workbook

    from config import routers

    measured["lag"] = OperationalError("connection refused")
    book = load_workbook(io.BytesIO(manager.get("/dashboard/cases.xlsx").content))
    assert book.sheetnames[-1] == "数据来源"
    assert DOWN in book["数据来源"]["B1"].value
    measured["lag"] = 0.0
    routers._unreachable["until"] = 0.0  # ten seconds later
    assert load_workbook(io.BytesIO(manager.get("/dashboard/cases.xlsx").content)).sheetnames == ["投诉量"]


def test_a_replica_that_has_replayed_nothing_since_it_started_is_behind_by_a_time_not_known(replica, manager,
                                                                                            measured):
    measured["lag"] = math.inf
    assert "只读副本启动后尚未追上主库" in manager.get("/dashboard/").content.decode()
    assert manager.get("/api/v1/stats/summary/")["X-Reporting-Source"] == "primary; replica behind"
