"""Lists cost the same number of queries whatever the number of rows (STYLE.md §6)."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

pytestmark = pytest.mark.django_db


def _queries(fn) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = fn()
    assert response.status_code == 200
    return len(ctx.captured_queries)


def _grow(submit, n):
    for i in range(n):
        submit(by="front_desk_gd" if i % 2 else "handler_gd", claim_amount=None)


@pytest.fixture
def browser(staff):
    def login(name):
        client = Client()
        client.force_login(staff[name])
        return client

    return login


def test_api_list_query_count_does_not_grow_with_rows(api, submit, staff):
    from accounts.models import User

    def fresh():  # a new user object each time, as each request has
        return api(User.objects.get(pk=staff["supervisor_gd"].pk))

    _grow(submit, 2)
    client = fresh()
    few = _queries(lambda: client.get("/api/v1/complaints/"))
    _grow(submit, 12)
    client = fresh()
    many = _queries(lambda: client.get("/api/v1/complaints/"))
    assert many == few
    assert few <= 6


def test_workspace_query_count_does_not_grow_with_rows(browser, submit):
    _grow(submit, 2)
    client = browser("supervisor_gd")
    few = _queries(lambda: client.get("/workspace/?tab=all"))
    _grow(submit, 12)
    assert _queries(lambda: client.get("/workspace/?tab=all")) == few


def test_approval_queue_page_query_count_does_not_grow_with_rows(browser, api, submit, staff):
    from complaints import services

    def propose_one():
        case = submit(by="handler_gd")
        services.complaint_verify(complaint_id=case.pk, by=staff["handler_gd"])
        services.complaint_propose(complaint_id=case.pk, by=staff["handler_gd"], remedy="补偿", amount="10.00")

    propose_one()
    client = browser("supervisor_gd")
    few = _queries(lambda: client.get("/approvals/"))
    for _ in range(6):
        propose_one()
    assert _queries(lambda: client.get("/approvals/")) == few


def test_notification_list_query_count_does_not_grow_with_rows(browser, submit):
    submit(by="handler_gd", major_impact=True)
    client = browser("supervisor_gd")
    few = _queries(lambda: client.get("/notifications/"))
    for _ in range(8):
        submit(by="handler_gd", major_impact=True)
    assert _queries(lambda: client.get("/notifications/")) == few
