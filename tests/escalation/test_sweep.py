"""The deadline sweep (DOMAIN.md §4): breached cases flagged, upgraded and told
once; due-soon warned once; idempotent; cost follows the due cases only."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from complaints import services
from complaints import sweep as sweep_module
from complaints.models import Complaint, HistoryEntry
from complaints.sweep import sweep
from escalation.calendar_watch import calendar_watch
from escalation.models import Notification
from tests.conftest import at

pytestmark = pytest.mark.django_db


def _overdue_case(submit, **overrides):
    """A T+1 case received on Monday 2026-11-16: callback due Tue 11-17 18:00."""
    return submit(by="handler_gd", **{"received_at": at("2026-11-16 10:00"), **overrides})


def test_breached_first_callback_is_flagged_upgraded_and_told_once(submit, staff):
    case = _overdue_case(submit)
    result = sweep(now=at("2026-11-17 18:01"))
    case.refresh_from_db()
    assert result.overdue == 1
    assert case.is_overdue and case.is_upgraded
    assert (case.level, case.classification) == ("III", "III-C")
    assert case.owner == staff["handler_gd"]  # 首问负责: the owner keeps it
    breach = HistoryEntry.objects.get(complaint=case, transition="breach")
    assert breach.by is None and breach.from_state == breach.to_state == "received"
    told = Notification.objects.filter(complaint=case, kind="overdue")
    assert sorted(n.recipient.username for n in told) == ["handler_gd", "supervisor_gd"]


def test_sweep_run_twice_tells_each_event_once(submit):
    case = _overdue_case(submit)
    sweep(now=at("2026-11-17 18:01"))
    sweep(now=at("2026-11-17 18:02"))
    sweep(now=at("2026-11-17 19:00"))
    assert Notification.objects.filter(complaint=case, kind="overdue").count() == 2
    assert HistoryEntry.objects.filter(complaint=case, transition="breach").count() == 1


def test_one_minute_before_the_deadline_is_not_overdue(submit):
    case = _overdue_case(submit)
    sweep(now=at("2026-11-17 17:59"))
    case.refresh_from_db()
    assert not case.is_overdue and not case.is_upgraded
    assert not Notification.objects.filter(complaint=case, kind="overdue").exists()


def test_due_soon_warns_the_owner_once_when_a_fifth_of_the_window_is_left(submit):
    # window 11-16 10:00 → 11-17 18:00 is 32 h; a fifth is 6 h 24 min → soon from 11:36.
    case = _overdue_case(submit)
    sweep(now=at("2026-11-17 11:35"))
    assert not Notification.objects.filter(complaint=case, kind="due_soon").exists()
    sweep(now=at("2026-11-17 11:36"))
    sweep(now=at("2026-11-17 12:00"))
    warned = Notification.objects.filter(complaint=case, kind="due_soon")
    assert [n.recipient.username for n in warned] == ["handler_gd"]


def test_a_callback_made_in_time_stops_that_clock(submit, staff, clock):
    clock.set("2026-11-16 10:00")
    case = _overdue_case(submit)
    clock.set("2026-11-16 15:05")
    services.contact_record(complaint_id=case.pk, by=staff["handler_gd"], outcome="reached",
                            at=at("2026-11-16 15:00"))
    sweep(now=at("2026-11-18 09:00"))
    case.refresh_from_db()
    assert not case.is_overdue
    assert not Notification.objects.filter(complaint=case, kind="overdue").exists()
    assert case.next_due == case.resolution_due


def test_breached_resolution_deadline_is_told_and_upgrades(submit, staff):
    case = _overdue_case(submit)
    services.contact_record(complaint_id=case.pk, by=staff["handler_gd"], outcome="reached",
                            at=at("2026-11-16 15:00"))
    sweep(now=at("2026-12-02 00:00"))  # due 12-01 23:59:59
    case.refresh_from_db()
    assert case.is_overdue and case.is_upgraded
    assert Notification.objects.filter(complaint=case, kind="overdue").count() == 2


def test_a_paused_clock_is_not_swept(submit, staff, clock):
    clock.set("2026-11-16 10:00")
    case = _overdue_case(submit)
    clock.set("2026-11-16 15:05")
    services.contact_record(complaint_id=case.pk, by=staff["handler_gd"], outcome="reached",
                            at=at("2026-11-16 15:00"))
    clock.set("2026-11-20 11:00")  # sent out for appraisal before its deadline of 12-01
    services.complaint_pause(complaint_id=case.pk, by=staff["handler_gd"], reason="第三方鉴定")
    sweep(now=at("2026-12-05 00:00"))
    case.refresh_from_db()
    assert not case.is_overdue and case.next_check_at is None


def test_an_extended_deadline_is_warned_and_told_anew_at_its_new_date(submit, staff, clock):
    """Each deadline is told once: an extension (granted before the deadline
    passed, §4) is a new deadline, warned and told again when it comes."""
    clock.set("2026-11-16 10:00")
    case = _overdue_case(submit)
    clock.set("2026-11-16 15:05")
    services.contact_record(complaint_id=case.pk, by=staff["handler_gd"], outcome="reached",
                            at=at("2026-11-16 15:00"))
    clock.set("2026-11-30 09:00")
    sweep(now=clock.now)  # the last fifth of 11-16 → 12-01: due soon, warned
    services.complaint_extend(complaint_id=case.pk, by=staff["supervisor_gd"], days=15, reason="案情复杂")
    case.refresh_from_db()
    assert case.resolution_due == at("2026-12-16 23:59") + dt.timedelta(seconds=59)
    clock.set("2026-12-02 00:00")
    sweep(now=clock.now)  # the old date has passed: nothing to tell
    assert not Notification.objects.filter(complaint=case, kind="overdue").exists()
    clock.set("2026-12-17 00:00")
    sweep(now=clock.now)
    case.refresh_from_db()
    assert case.is_overdue and case.is_upgraded
    to_owner = Notification.objects.filter(complaint=case, recipient=staff["handler_gd"])
    assert to_owner.filter(kind="due_soon").count() == 2  # once per deadline
    assert to_owner.filter(kind="overdue").count() == 1


def test_a_worker_dying_mid_case_loses_nothing_and_duplicates_nothing(submit, monkeypatch):
    case = _overdue_case(submit)
    real_act = sweep_module._act

    def die(*args, **kwargs):
        raise RuntimeError("worker killed")

    monkeypatch.setattr(sweep_module, "_act", die)
    with pytest.raises(RuntimeError):
        sweep(now=at("2026-11-17 18:01"))
    case.refresh_from_db()
    # the case's transaction rolled back, its alert row with it
    assert not case.is_upgraded
    assert not HistoryEntry.objects.filter(complaint=case, transition="breach").exists()
    monkeypatch.setattr(sweep_module, "_act", real_act)
    sweep(now=at("2026-11-17 18:01"))
    sweep(now=at("2026-11-17 18:05"))
    assert Notification.objects.filter(complaint=case, kind="overdue").count() == 2


def test_sweep_reads_only_the_due_cases(submit, clock):
    """Its queries do not grow with the number of cases that are not due."""
    clock.set("2026-11-20 12:00")
    _overdue_case(submit)

    def queries_with(extra_not_due):
        for _ in range(extra_not_due):
            submit(by="handler_gd", received_at=at("2026-11-20 10:00"))
        Complaint.objects.filter(is_overdue=True).update(next_check_at=None)
        case = _overdue_case(submit)
        with CaptureQueriesContext(connection) as ctx:
            sweep(now=at("2026-11-17 18:01"))
        case.refresh_from_db()
        assert case.is_overdue
        return len(ctx.captured_queries)

    assert queries_with(2) == queries_with(40)


def test_sweep_command_runs_the_same_sweep(submit, capsys):
    case = _overdue_case(submit, received_at=at("2026-01-05 10:00"))
    call_command("sweep_deadlines")
    case.refresh_from_db()
    assert case.is_overdue
    assert "overdue" in capsys.readouterr().out


def test_calendar_watch_warns_administrators_once_from_1_november(make_user):
    make_user("root", unit="HQ", is_superuser=True, is_staff=True)
    assert calendar_watch(today=dt.date(2026, 10, 31)) is False
    assert calendar_watch(today=dt.date(2026, 11, 1)) is True
    assert calendar_watch(today=dt.date(2026, 11, 2)) is False
    note = Notification.objects.get(kind="calendar")
    assert note.recipient.username == "root" and "2027" in note.title


def test_calendar_watch_is_silent_when_next_year_is_held(make_user):
    from escalation.models import CalendarYear

    make_user("root", unit="HQ", is_superuser=True, is_staff=True)
    CalendarYear.objects.create(year=2027, source="admin")
    assert calendar_watch(today=dt.date(2026, 11, 23)) is False


def test_sweep_queries_do_not_grow_with_the_number_of_due_cases(submit, staff):
    """Due cases are handled in batches: one claim, one statement per table,
    whatever the number of cases in the batch (and nothing read per case)."""

    def queries_with(due):
        cases = [_overdue_case(submit) for _ in range(due)]
        cases[0].owner = staff["supervisor_gd"]  # one owned by a supervisor: the CS manager is told
        cases[0].save()
        with CaptureQueriesContext(connection) as ctx:
            result = sweep(now=at("2026-11-17 18:01"))
        assert result.overdue >= due
        return [q["sql"] for q in ctx.captured_queries]

    few = queries_with(2)
    Complaint.objects.update(next_check_at=None)
    many = queries_with(12)
    assert len(many) == len(few), "\n".join(many)


def test_a_sweep_that_meets_an_event_another_sweep_told_first_claims_the_batch_again(submit, monkeypatch):
    """Where rows cannot be locked (SQLite, the demo), two sweeps may decide the
    same event; the second one's batch fails on the unique alert key, rolls
    back whole and is claimed again, seeing the first one's alerts: each event
    told once, and the second sweep does not fail."""
    from complaints import tracking

    case = _overdue_case(submit)
    sweep(now=at("2026-11-17 18:01"))  # the first sweep told the breach
    assert Notification.objects.filter(complaint=case, kind="overdue").count() == 2
    case.refresh_from_db()
    Complaint.objects.filter(pk=case.pk).update(next_check_at=at("2026-11-17 18:01"))  # due again for the second
    real = tracking.recorded_keys_of
    calls = []

    def stale_first(ids):  # the second sweep read before the first one's alerts were there
        calls.append(ids)
        return {} if len(calls) == 1 else real(ids)

    monkeypatch.setattr(tracking, "recorded_keys_of", stale_first)
    result = sweep(now=at("2026-11-17 18:02"))
    assert len(calls) == 2  # claimed again after the unique key refused the batch
    assert result.overdue == 0 and result.events == []
    assert Notification.objects.filter(complaint=case, kind="overdue").count() == 2
    assert HistoryEntry.objects.filter(complaint=case, transition="breach").count() == 1
