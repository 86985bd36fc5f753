"""Races on real PostgreSQL: numbering under concurrent intake, and two users
firing transitions on one case at the same moment."""

import pytest
from rest_framework.test import APIClient

from complaints.models import Complaint, HistoryEntry
from tests.concurrency import race
from tests.conftest import intake

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_numbers_are_unique_and_consecutive_under_concurrent_intake(postgres, staff):
    from complaints import services

    desks = [staff["handler_gd"], staff["handler2_gd"], staff["front_desk_gd"], staff["handler_fj"]] * 4
    results = race(*[
        (lambda user=user: services.complaint_submit(by=user, intake=intake(received_at=None)))
        for user in desks
    ])
    assert all(isinstance(r, Complaint) for r in results), results
    numbers = sorted(r.number for r in results)
    assert len(set(numbers)) == len(desks)
    assert [int(n[-6:]) for n in numbers] == list(range(1, len(desks) + 1))


def _client(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_two_transitions_at_once_one_wins_the_other_gets_409(postgres, staff, submit):
    case = submit(by="handler_gd")
    handler, supervisor = staff["handler_gd"], staff["supervisor_gd"]
    url = f"/api/v1/complaints/{case.pk}/"
    responses = race(
        lambda: _client(handler).post(url + "verify/", {"comment": "A"}, format="json"),
        # both only from "received": whichever commits second must lose
        lambda: _client(supervisor).post(url + "resolve_on_spot/", {"resolution": "B", "notice": {"channel": "phone"}},
                                               format="json"),
    )
    codes = sorted(r.status_code for r in responses)
    assert codes == [200, 409], [r.content for r in responses]
    assert HistoryEntry.objects.filter(complaint=case).exclude(transition="receive").count() == 1


def test_double_click_fires_a_transition_once(postgres, staff, submit):
    case = submit(by="handler_gd")
    handler = staff["handler_gd"]
    url = f"/api/v1/complaints/{case.pk}/verify/"
    responses = race(*[lambda: _client(handler).post(url, {}, format="json") for _ in range(4)])
    assert sorted(r.status_code for r in responses) == [200, 409, 409, 409]
    assert HistoryEntry.objects.filter(complaint=case, transition="verify").count() == 1


def test_two_handlers_taking_one_queued_case_one_gets_it(postgres, staff, submit):
    case = submit(by="front_desk_gd")
    responses = race(
        lambda: _client(staff["handler_gd"]).post(f"/api/v1/complaints/{case.pk}/take/"),
        lambda: _client(staff["handler2_gd"]).post(f"/api/v1/complaints/{case.pk}/take/"),
    )
    assert not any(isinstance(r, Exception) for r in responses), responses
    assert sorted(r.status_code for r in responses) == [200, 409]
    case.refresh_from_db()
    assert case.owner_id in (staff["handler_gd"].pk, staff["handler2_gd"].pk)
    assert HistoryEntry.objects.filter(complaint=case, transition="take").count() == 1


def test_stale_copy_cannot_overwrite_a_newer_state(postgres, staff, submit):
    """ConcurrentTransitionMixin: a save from a copy read before another user's
    transition raises instead of silently winning."""
    from django.db import transaction
    from django_fsm import ConcurrentTransition

    case = submit(by="handler_gd")
    stale = Complaint.objects.get(pk=case.pk)
    from complaints import services

    services.complaint_verify(complaint_id=case.pk, by=staff["handler_gd"])
    stale.invalidate(reason="x")
    with pytest.raises(ConcurrentTransition), transaction.atomic():
        stale.save()
    assert Complaint.objects.get(pk=case.pk).state == "verified"


def test_history_rows_cannot_be_changed_even_in_sql(postgres, submit):
    from django.db import DatabaseError, transaction

    case = submit(by="handler_gd")
    with pytest.raises(DatabaseError), transaction.atomic():
        HistoryEntry.objects.filter(complaint=case).update(comment="rewritten")
    with pytest.raises(DatabaseError), transaction.atomic():
        HistoryEntry.objects.filter(complaint=case).delete()
    assert HistoryEntry.objects.filter(complaint=case, comment="").count() == 1


def test_the_same_idempotency_key_sent_twice_at_once_logs_one_complaint(postgres, staff):
    from tests.conftest import api_payload

    client = _client(staff["handler_gd"])
    responses = race(*[
        (lambda: client.post("/api/v1/complaints/", api_payload(), format="json", HTTP_IDEMPOTENCY_KEY="same-key"))
        for _ in range(4)
    ])
    assert sorted(r.status_code for r in responses) == [200, 200, 200, 201], responses
    assert len({r.json()["number"] for r in responses}) == 1
    assert Complaint.objects.count() == 1
