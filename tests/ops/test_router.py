"""Reports read from the replica, everything else from the primary
(config/routers.py). The replica is a test mirror of the test database (see
tests/conftest.py), so the data is the same and the alias of each query shows
where it went."""

import threading

import pytest
from django.contrib.auth.models import Group
from django.db import connections, router
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
