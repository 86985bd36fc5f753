"""DOMAIN.md §3 rule 4, batch complaints: more than 10 complaints about the same
issue (same category and issue tag) received on the same calendar day (Asia/
Shanghai) — the 11th and every earlier one of that day become urgent (URG, a
supervisor, the 3-hour first callback); the supervisor and the cs_manager are
told once per batch. A complaint without an issue tag is never counted."""

import datetime as dt

import pytest
from django.utils import timezone

from complaints.models import Complaint, HistoryEntry
from escalation.models import Notification
from tests.conftest import at

pytestmark = pytest.mark.django_db

TAG = "双十一积分延迟"
CATEGORY = "I-6"  # delayed points: level I, first receiver, T+1
NOW = at("2026-11-18 10:00")  # a working Wednesday; T+1 falls on Thursday 11-19 18:00
T1_DUE = at("2026-11-19 18:00")
THREE_HOURS = dt.timedelta(hours=3)


@pytest.fixture(autouse=True)
def clock(monkeypatch):
    """The clock stands at NOW, so "3 hours after it became urgent" is exact."""
    monkeypatch.setattr(timezone, "now", lambda: NOW)
    return NOW


@pytest.fixture
def log(submit):
    """log(n, start="2026-11-18 09:00", **overrides): n complaints a minute apart."""

    def do(n, start="2026-11-18 09:00", **overrides):
        values = {"category": CATEGORY, "issue_tag": TAG, **overrides}
        first = at(start)
        return [submit(received_at=first + dt.timedelta(minutes=i), **values) for i in range(n)]

    return do


def fresh(cases):
    return [Complaint.objects.get(pk=c.pk) for c in cases]


def batch_notices():
    return Notification.objects.filter(kind=Notification.Kind.BATCH)


# --- Up to 10: not a batch -------------------------------------------------------------

def test_ten_complaints_on_the_same_issue_in_one_day_are_not_a_batch(log):
    cases = fresh(log(10))
    assert [c.is_batch for c in cases] == [False] * 10
    assert {(c.level, c.classification, c.callback_rule) for c in cases} == {("I", CATEGORY, "t1")}


def test_ten_complaints_on_the_same_issue_tell_nobody_of_a_batch(log):
    log(10)
    assert not batch_notices().exists()


# --- The 11th: all 11 urgent -----------------------------------------------------------

def test_the_eleventh_complaint_makes_all_eleven_batch_urgent(log):
    cases = fresh(log(11))
    assert [c.is_batch for c in cases] == [True] * 11
    assert {(c.level, c.classification) for c in cases} == {("urgent", "URG")}
    assert all("batch" in c.urgent_reasons for c in cases), [c.urgent_reasons for c in cases]


def test_every_complaint_of_the_batch_is_owned_by_a_supervisor(log, staff):
    cases = fresh(log(11))
    assert {(c.owner, c.owner_role) for c in cases} == {(staff["supervisor_gd"], "supervisor")}


def test_every_complaint_of_the_batch_follows_the_3_hour_callback_rule(log):
    cases = fresh(log(11))
    assert {c.callback_rule for c in cases} == {"3h"}


def test_the_eleventh_complaint_is_due_for_callback_3_hours_after_receipt(log):
    eleventh = fresh(log(11))[-1]
    assert eleventh.first_callback_due == eleventh.received_at + THREE_HOURS


def test_each_earlier_complaint_gets_a_batch_history_entry_by_nobody(log):
    cases = log(11)
    for case in cases[:10]:
        entries = list(HistoryEntry.objects.filter(complaint=case, transition="batch"))
        assert len(entries) == 1, case.number
        entry = entries[0]
        assert entry.by is None
        assert (entry.from_state, entry.to_state) == ("received", "received")
        assert entry.data.get("trigger") == cases[10].number


def test_earlier_complaints_are_due_for_callback_within_3_hours_of_becoming_urgent(log):
    cases = log(11)
    assert {c.first_callback_due for c in cases[:10]} == {T1_DUE}  # before the batch
    for case in fresh(cases[:10]):
        became_urgent = HistoryEntry.objects.get(complaint=case, transition="batch").at
        assert case.first_callback_due <= became_urgent + THREE_HOURS, case.number
        assert case.first_callback_due < T1_DUE, case.number


def test_earlier_complaints_next_due_follows_their_new_callback_deadline(log):
    cases = fresh(log(11))
    for case in cases[:10]:
        assert case.next_due == case.first_callback_due, case.number


def test_the_twelfth_complaint_is_urgent_at_intake(log, submit):
    log(11)
    twelfth = submit(category=CATEGORY, issue_tag=TAG, received_at=at("2026-11-18 09:30"))
    assert twelfth.is_batch
    assert (twelfth.level, twelfth.classification, twelfth.callback_rule) == ("urgent", "URG", "3h")
    assert twelfth.first_callback_due == at("2026-11-18 12:30")
    receive = HistoryEntry.objects.get(complaint=twelfth, transition="receive")
    assert receive.data["level"] == "urgent"


def test_an_issue_tag_with_surrounding_spaces_is_the_same_issue(log, submit):
    log(10)
    eleventh = submit(category=CATEGORY, issue_tag=f"  {TAG} ", received_at=at("2026-11-18 09:30"))
    assert eleventh.is_batch and eleventh.level == "urgent"


# --- What does not count --------------------------------------------------------------

def test_a_different_issue_tag_does_not_count_into_the_batch(log, submit):
    cases = log(10)
    other = submit(category=CATEGORY, issue_tag="618积分延迟", received_at=at("2026-11-18 09:30"))
    assert not other.is_batch and other.level == "I"
    assert not any(c.is_batch for c in fresh(cases))


def test_a_different_category_does_not_count_into_the_batch(log, submit):
    cases = log(10)
    other = submit(category="I-7", issue_tag=TAG, received_at=at("2026-11-18 09:30"))
    assert not other.is_batch and other.level == "I"
    assert not any(c.is_batch for c in fresh(cases))


def test_a_complaint_at_23_59_the_day_before_does_not_count_into_the_batch(log, submit):
    day_before = submit(category=CATEGORY, issue_tag=TAG, received_at=at("2026-11-17 23:59"))
    cases = log(10, start="2026-11-18 00:00")
    assert not any(c.is_batch for c in fresh([day_before, *cases]))


def test_a_complaint_at_00_00_counts_into_that_day_s_batch(log, submit):
    midnight = submit(category=CATEGORY, issue_tag=TAG, received_at=at("2026-11-18 00:00"))
    log(10, start="2026-11-18 09:00")
    assert Complaint.objects.get(pk=midnight.pk).is_batch


def test_the_day_before_is_not_made_urgent_by_today_s_batch(log, submit):
    day_before = submit(category=CATEGORY, issue_tag=TAG, received_at=at("2026-11-17 23:59"))
    cases = fresh(log(11, start="2026-11-18 00:00"))
    assert all(c.is_batch for c in cases)
    day_before.refresh_from_db()
    assert not day_before.is_batch and day_before.level == "I"
    assert not HistoryEntry.objects.filter(complaint=day_before, transition="batch").exists()


def test_complaints_without_an_issue_tag_are_never_a_batch(log):
    cases = fresh(log(12, issue_tag=""))
    assert not any(c.is_batch for c in cases)
    assert {c.level for c in cases} == {"I"}
    assert not batch_notices().exists()


def test_complaints_with_a_blank_issue_tag_are_never_a_batch(log):
    cases = fresh(log(12, issue_tag="   "))
    assert not any(c.is_batch for c in cases)
    assert {c.level for c in cases} == {"I"}


# --- Who is told -----------------------------------------------------------------------

def test_the_supervisor_and_the_cs_manager_are_told_of_the_batch(log, staff):
    log(11)
    told = sorted(n.recipient.username for n in batch_notices())
    assert told == ["cs_manager_gd", "supervisor_gd"]


def test_the_batch_is_told_once_even_when_the_12th_and_13th_arrive(log, staff):
    log(13)
    told = sorted(n.recipient.username for n in batch_notices())
    assert told == ["cs_manager_gd", "supervisor_gd"]
