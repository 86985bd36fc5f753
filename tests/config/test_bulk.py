"""config.bulk.update_rows: many rows saved in one statement, every type the sweep writes."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from complaints.models import Complaint
from config.bulk import update_rows

pytestmark = pytest.mark.django_db

FIELDS = ["next_due", "is_overdue", "next_check_at", "level", "classification", "priority", "urgent_reasons",
          "is_upgraded", "upgrade_reason", "updated_at"]


def _change(cases):
    now = timezone.now().replace(microsecond=0)
    for i, case in enumerate(cases):
        case.next_due = now + dt.timedelta(hours=i)
        case.is_overdue = i % 2 == 0
        case.next_check_at = None if i == 0 else now + dt.timedelta(minutes=i)
        case.level, case.classification, case.priority = "III", "III-C", 1
        case.urgent_reasons = ["major_impact", f"r{i}"]
        case.is_upgraded, case.upgrade_reason = True, f"期限已超 {i}"
        case.updated_at = now
    return now


def _check(cases, now):
    for i, case in enumerate(cases):
        saved = Complaint.objects.get(pk=case.pk)
        assert saved.next_due == now + dt.timedelta(hours=i)
        assert saved.is_overdue is (i % 2 == 0)
        assert saved.next_check_at == (None if i == 0 else now + dt.timedelta(minutes=i))
        assert (saved.level, saved.classification, saved.priority) == ("III", "III-C", 1)
        assert saved.urgent_reasons == ["major_impact", f"r{i}"]
        assert saved.is_upgraded and saved.upgrade_reason == f"期限已超 {i}"


@pytest.mark.postgres
def test_update_rows_saves_every_field_of_every_row_in_one_statement(postgres, submit):
    cases = [submit(by="handler_gd") for _ in range(3)]
    untouched = submit(by="handler_gd")
    now = _change(cases)
    with CaptureQueriesContext(connection) as ctx:
        update_rows(Complaint, cases, FIELDS)
    assert len(ctx.captured_queries) == 1
    _check(cases, now)
    assert Complaint.objects.get(pk=untouched.pk).level == untouched.level


def test_update_rows_on_other_databases_saves_the_same(submit):
    cases = [submit(by="handler_gd") for _ in range(3)]
    now = _change(cases)
    update_rows(Complaint, cases, FIELDS)
    _check(cases, now)
    update_rows(Complaint, [], FIELDS)  # nothing to do
