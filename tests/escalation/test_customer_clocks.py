"""The clocks of DOMAIN.md §8 that only tell someone: the revisit due by 18:00
of the 3rd working day after the resolution, the customer reached by the end of
the 3rd working day after intake (or 3 attempts made), and a call promised to
the customer for a time. Working days from the business calendar: the 2026
National Day holiday runs 10-01 to 10-07, and Saturday 10-10 is a make-up
working day."""

import pytest

from complaints import services
from complaints.models import Complaint, ContactAttempt, HistoryEntry
from complaints.sweep import sweep
from escalation.models import Notification
from tests.complaints.conftest import case_in, url  # noqa: F401 (fixture)
from tests.conftest import at

pytestmark = pytest.mark.django_db


def told(case, words):
    return list(Notification.objects.filter(complaint=case, title__contains=words)
                .values_list("recipient__username", flat=True))


# --- The revisit clock -------------------------------------------------------------------------------

def test_the_revisit_is_due_at_18_00_of_the_3rd_working_day_after_the_resolution(case_in):
    case = case_in("resolved")  # Wednesday 2026-11-25: Thursday, Friday, then Monday
    assert case.revisit_due == at("2026-11-30 18:00")


def test_a_make_up_working_day_counts_for_the_revisit(case_in, clock):
    clock.set("2026-10-08 09:00")  # Thursday after the holiday: Friday 10-09, Saturday 10-10 (make-up), Monday
    assert case_in("resolved").revisit_due == at("2026-10-12 18:00")


def test_a_holiday_does_not_count_for_the_revisit(case_in, clock):
    clock.set("2026-09-30 09:00")  # 10-01 to 10-07 are holidays: 10-08, 10-09, 10-10 (make-up)
    assert case_in("resolved").revisit_due == at("2026-10-10 18:00")


def test_a_case_resolved_on_the_spot_has_its_revisit_clock_too(submit, staff):
    case = submit(by="front_desk_gd")
    services.complaint_resolve_on_spot(complaint_id=case.pk, by=staff["front_desk_gd"], resolution="当场解释",
                                       notice={"channel": "in_person"})
    assert Complaint.objects.get(pk=case.pk).revisit_due == at("2026-11-30 18:00")


def test_the_sweep_tells_the_supervisor_once_when_the_revisit_passes_without_upgrading(case_in):
    case = case_in("resolved")
    level, classification = case.level, case.classification
    sweep(now=at("2026-11-30 17:59"))
    assert told(case, "回访时限") == []
    sweep(now=at("2026-11-30 18:00"))
    assert told(case, "回访时限") == ["supervisor_gd"]
    sweep(now=at("2026-12-01 10:00"))
    assert told(case, "回访时限") == ["supervisor_gd"]
    case.refresh_from_db()
    assert (case.level, case.classification, case.is_upgraded) == (level, classification, False)
    assert not HistoryEntry.objects.filter(complaint=case, transition="breach").exists()


def test_a_revisit_in_time_stops_the_clock_and_keeps_its_deadline_for_the_figures(case_in):
    case = case_in("revisited")
    sweep(now=at("2026-11-30 18:30"))
    assert told(case, "回访时限") == []
    assert Complaint.objects.get(pk=case.pk).revisit_due == at("2026-11-30 18:00")


def test_the_to_revisit_tab_lists_resolved_cases_by_revisit_due(case_in, clock, client_for):
    clock.set("2026-11-25 10:00")
    later = case_in("resolved")  # due 11-30
    clock.set("2026-11-24 10:00")
    sooner = case_in("resolved")  # due 11-27
    case_in("revisited")  # revisited already: not listed
    clock.set("2026-11-25 10:00")
    page = client_for("supervisor_gd").get("/workspace/?tab=revisit")
    numbers = [c.number for c in page.context["page"].object_list]
    assert numbers == [sooner.number, later.number]
    assert "11-27 18:00" in page.content.decode()


def test_a_handler_s_to_revisit_tab_lists_its_own_cases(case_in, client_for):
    mine = case_in("resolved")
    theirs = case_in("resolved", by="handler2_gd")
    page = client_for("handler_gd").get("/workspace/?tab=revisit")
    assert [c.pk for c in page.context["page"].object_list] == [mine.pk]
    assert theirs.number not in page.content.decode()


# --- The contact window ------------------------------------------------------------------------------

def test_a_customer_not_reached_by_the_end_of_the_3rd_working_day_is_told_to_the_supervisor_once(submit):
    case = submit()  # Wednesday 11-25: Thursday, Friday, Monday 11-30 18:00
    assert case.contact_due == at("2026-11-30 18:00")
    services.contact_record(complaint_id=case.pk, by=case.owner, outcome="no_answer")
    sweep(now=at("2026-11-30 17:59"))
    assert told(case, "3个工作日内未联系上客户") == []
    sweep(now=at("2026-11-30 18:00"))
    assert told(case, "3个工作日内未联系上客户") == ["supervisor_gd"]
    sweep(now=at("2026-12-01 18:00"))
    assert told(case, "3个工作日内未联系上客户") == ["supervisor_gd"]


def test_a_customer_reached_in_time_ends_the_contact_window(submit):
    case = submit()
    services.contact_record(complaint_id=case.pk, by=case.owner, outcome="reached")
    sweep(now=at("2026-11-30 18:00"))
    assert told(case, "未联系上客户") == []


def test_three_failed_attempts_are_told_once_by_the_attempts_not_by_the_window(submit):
    case = submit()
    for _ in range(3):
        services.contact_record(complaint_id=case.pk, by=case.owner, outcome="no_answer")
    assert Complaint.objects.get(pk=case.pk).failed_attempts == 3
    failed = Notification.objects.filter(complaint=case, kind="contact_failed")
    assert list(failed.values_list("recipient__username", flat=True)) == ["supervisor_gd"]  # §4, at the 3rd
    sweep(now=at("2026-11-30 18:00"))
    assert told(case, "3个工作日内未联系上客户") == [] and failed.count() == 1


# --- Promised calls ---------------------------------------------------------------------------------

def test_a_contact_attempt_can_carry_the_time_promised_for_the_next_call(api, submit):
    case = submit()
    r = api("handler_gd").post(url(case.pk, "contacts"), {"outcome": "busy", "promised_callback_at":
                                                           "2026-11-25T15:00:00+08:00"}, format="json")
    assert r.status_code == 201 and r.json()["promised_callback_at"] == "2026-11-25T15:00:00+08:00"
    assert Complaint.objects.get(pk=case.pk).promise_due == at("2026-11-25 15:00")


def test_a_promise_for_a_time_already_past_is_400(api, submit):
    case = submit()
    r = api("handler_gd").post(url(case.pk, "contacts"), {"outcome": "busy", "promised_callback_at":
                                                           "2026-11-25T09:00:00+08:00"}, format="json")
    assert r.status_code == 400 and "promised_callback_at" in r.json()
    assert not ContactAttempt.objects.filter(complaint=case).exists()


def test_a_promise_that_passes_without_an_attempt_is_told_to_the_owner_once(submit):
    case = submit()
    services.contact_record(complaint_id=case.pk, by=case.owner, outcome="busy",
                            promised_callback_at=at("2026-11-25 15:00"))
    sweep(now=at("2026-11-25 14:59"))
    assert told(case, "约定") == []
    sweep(now=at("2026-11-25 15:00"))
    assert told(case, "约定") == ["handler_gd"]
    sweep(now=at("2026-11-25 16:00"))
    assert told(case, "约定") == ["handler_gd"]


def test_an_attempt_before_the_promised_time_keeps_the_promise(submit, clock):
    case = submit()
    services.contact_record(complaint_id=case.pk, by=case.owner, outcome="busy",
                            promised_callback_at=at("2026-11-25 15:00"))
    clock.set("2026-11-25 14:30")
    services.contact_record(complaint_id=case.pk, by=case.owner, outcome="reached")
    assert Complaint.objects.get(pk=case.pk).promise_due is None
    sweep(now=at("2026-11-25 15:30"))
    assert told(case, "约定") == []


def test_a_new_promise_replaces_the_one_before(submit, clock):
    case = submit()
    services.contact_record(complaint_id=case.pk, by=case.owner, outcome="busy",
                            promised_callback_at=at("2026-11-25 15:00"))
    clock.set("2026-11-25 14:30")
    services.contact_record(complaint_id=case.pk, by=case.owner, outcome="no_answer",
                            promised_callback_at=at("2026-11-26 10:00"))
    assert Complaint.objects.get(pk=case.pk).promise_due == at("2026-11-26 10:00")


def test_the_promise_shows_on_the_timeline_and_in_the_owner_s_workspace(submit, client_for):
    case = submit()
    services.contact_record(complaint_id=case.pk, by=case.owner, outcome="busy",
                            promised_callback_at=at("2026-11-25 15:00"))
    client = client_for("handler_gd")
    assert "2026-11-25 15:00" in client.get(f"/complaints/{case.pk}/").content.decode()
    mine = client.get("/workspace/?tab=mine").content.decode()
    row = mine[mine.index(case.number):][:1500]
    assert "约定回电" in row and "11-25 15:00" in row


def test_a_promise_typed_on_the_case_page_is_kept_with_the_attempt(submit, client_for):
    case = submit()
    r = client_for("handler_gd").post(f"/complaints/{case.pk}/contact/",
                                      {"outcome": "no_answer", "promised_callback_at": "2026-11-26 10:00"})
    assert r.status_code == 302
    assert ContactAttempt.objects.get(complaint=case).promised_callback_at == at("2026-11-26 10:00")
