"""DOMAIN.md §4 contact, through POST /api/v1/complaints/{id}/contacts/ (API.md):
the first reached attempt sets first_callback_at and stops the first-callback
clock; after the third failed attempt the supervisor is told, once. Bad times
are 400, another unit's case 404, a user who may not work the case 403 and an
archived case 409."""

import datetime as dt

import pytest
from django.utils import timezone

from complaints import policies, services
from complaints.models import Complaint, ContactAttempt
from escalation.models import Notification
from tests.conftest import at

pytestmark = pytest.mark.django_db

RECEIVED = at("2026-11-18 10:00")  # a working Wednesday: T+1 is Thursday 18:00
FAILED = ["no_answer", "busy", "unreachable"]


@pytest.fixture
def case(submit):
    """An I-2 case logged and owned by handler_gd (whose supervisor is supervisor_gd)."""
    return submit(by="handler_gd", received_at=RECEIVED)


@pytest.fixture
def contact(api):
    """contact(complaint, outcome, at=None, by="handler_gd") -> the API response."""

    def post(complaint, outcome, at=None, by="handler_gd"):
        body = {"outcome": outcome, "note": "致电客户"}
        if at is not None:
            body["at"] = at.isoformat()
        return api(by).post(f"/api/v1/complaints/{complaint.pk}/contacts/", body, format="json")

    return post


def minutes_after_receipt(n: int) -> dt.datetime:
    return RECEIVED + dt.timedelta(minutes=n)


def contact_failed_notices():
    return Notification.objects.filter(kind=Notification.Kind.CONTACT_FAILED)


# --- The first reached attempt --------------------------------------------------------

def test_first_reached_attempt_sets_first_callback_at_to_the_attempt_time(case, contact):
    r = contact(case, "reached", at=minutes_after_receipt(30))
    assert r.status_code == 201, r.content
    assert r.json()["outcome"] == "reached" and r.json()["by"] == "handler_gd"
    case.refresh_from_db()
    assert case.first_callback_at == minutes_after_receipt(30)


def test_first_callback_at_is_shown_by_the_complaint_api(case, contact, api):
    contact(case, "reached", at=minutes_after_receipt(30))
    body = api("handler_gd").get(f"/api/v1/complaints/{case.pk}/").json()
    assert dt.datetime.fromisoformat(body["first_callback_at"]) == minutes_after_receipt(30)
    assert [c["outcome"] for c in body["contacts"]] == ["reached"]


def test_a_later_reached_attempt_does_not_change_first_callback_at(case, contact):
    contact(case, "reached", at=minutes_after_receipt(30))
    r = contact(case, "reached", at=minutes_after_receipt(90))
    assert r.status_code == 201, r.content
    case.refresh_from_db()
    assert case.first_callback_at == minutes_after_receipt(30)
    assert case.contacts.count() == 2


@pytest.mark.parametrize("outcome", FAILED)
def test_a_failed_attempt_does_not_set_first_callback_at(case, contact, outcome):
    r = contact(case, outcome, at=minutes_after_receipt(30))
    assert r.status_code == 201, r.content
    case.refresh_from_db()
    assert case.first_callback_at is None


def test_a_reached_callback_stops_the_first_callback_clock(case, contact):
    assert case.next_due == case.first_callback_due  # the callback clock runs first
    contact(case, "reached", at=minutes_after_receipt(30))
    case.refresh_from_db()
    assert case.next_due == case.resolution_due


def test_a_failed_attempt_leaves_the_first_callback_clock_running(case, contact):
    contact(case, "no_answer", at=minutes_after_receipt(30))
    case.refresh_from_db()
    assert case.next_due == case.first_callback_due


def test_an_attempt_without_a_time_is_recorded_now(case, contact):
    before = timezone.now()
    r = contact(case, "reached")
    assert r.status_code == 201, r.content
    case.refresh_from_db()
    assert before <= case.first_callback_at <= timezone.now()


# --- Failed attempts: the supervisor is told after the third ---------------------------

def test_two_failed_attempts_do_not_tell_the_supervisor(case, contact):
    for i, outcome in enumerate(FAILED[:2]):
        contact(case, outcome, at=minutes_after_receipt(10 * i))
    assert not contact_failed_notices().exists()


def test_the_third_failed_attempt_tells_the_supervisor(case, contact, staff):
    for i, outcome in enumerate(FAILED):
        r = contact(case, outcome, at=minutes_after_receipt(10 * i))
        assert r.status_code == 201, r.content
    notices = list(contact_failed_notices())
    assert [(n.recipient, n.complaint_id) for n in notices] == [(staff["supervisor_gd"], case.pk)]


def test_a_fourth_failed_attempt_does_not_tell_the_supervisor_again(case, contact):
    for i, outcome in enumerate([*FAILED, "no_answer"]):
        r = contact(case, outcome, at=minutes_after_receipt(10 * i))
        assert r.status_code == 201, r.content
    assert contact_failed_notices().count() == 1


def test_two_failed_attempts_then_reached_tell_nobody(case, contact):
    for i, outcome in enumerate(["no_answer", "busy", "reached"]):
        r = contact(case, outcome, at=minutes_after_receipt(10 * i))
        assert r.status_code == 201, r.content
    assert not contact_failed_notices().exists()


# --- Bad times: 400, nothing recorded ----------------------------------------------------

def test_an_attempt_in_the_future_is_rejected(case, contact):
    r = contact(case, "reached", at=timezone.now() + dt.timedelta(hours=1))
    assert r.status_code == 400, r.content
    assert "at" in r.json()
    assert not ContactAttempt.objects.filter(complaint=case).exists()
    case.refresh_from_db()
    assert case.first_callback_at is None


def test_an_attempt_before_the_complaint_was_received_is_rejected(case, contact):
    r = contact(case, "reached", at=RECEIVED - dt.timedelta(minutes=1))
    assert r.status_code == 400, r.content
    assert "at" in r.json()
    assert not ContactAttempt.objects.filter(complaint=case).exists()


def test_an_attempt_at_the_minute_the_complaint_was_received_is_accepted(case, contact):
    r = contact(case, "reached", at=RECEIVED)
    assert r.status_code == 201, r.content


def test_an_unknown_outcome_is_rejected(case, contact):
    r = contact(case, "voicemail", at=minutes_after_receipt(5))
    assert r.status_code == 400, r.content
    assert "outcome" in r.json()


# --- Who may record --------------------------------------------------------------------

def test_a_supervisor_of_the_unit_may_record_an_attempt_on_a_handler_s_case(case, contact):
    r = contact(case, "no_answer", at=minutes_after_receipt(5), by="supervisor_gd")
    assert r.status_code == 201, r.content


def test_another_unit_s_case_is_not_found(case, contact):
    r = contact(case, "reached", at=minutes_after_receipt(5), by="handler_fj")
    assert r.status_code == 404, r.content
    assert not ContactAttempt.objects.filter(complaint=case).exists()


def test_a_front_desk_clerk_who_is_not_the_receiver_may_not_record_an_attempt(case, contact, staff):
    clerk = staff["front_desk_gd"]
    assert case.first_receiver != clerk and not policies.can_work(case, clerk)
    r = contact(case, "reached", at=minutes_after_receipt(5), by="front_desk_gd")
    assert r.status_code == 403, r.content
    assert not ContactAttempt.objects.filter(complaint=case).exists()
    case.refresh_from_db()
    assert case.first_callback_at is None


def test_an_archived_case_answers_409(case, contact, staff):
    services.complaint_invalidate(complaint_id=case.pk, by=staff["handler_gd"], reason="重复投诉", notice={"channel": "phone"})
    assert Complaint.objects.get(pk=case.pk).state == "archived"
    r = contact(case, "reached", at=minutes_after_receipt(5))
    assert r.status_code == 409, r.content
    assert not ContactAttempt.objects.filter(complaint=case).exists()
