"""DOMAIN.md §4 business calendar: seeded from chinesecalendar for the years it
holds, corrected by administrators, never guessed silently for other years."""

import datetime as dt

import pytest

from escalation.calendar import PACKAGE_SOURCE, UnknownYear, WorkingCalendar, load_year, package_days
from escalation.models import BusinessDay, CalendarYear

pytestmark = pytest.mark.django_db

D = dt.date.fromisoformat


def kind_of(date: str) -> str:
    return BusinessDay.objects.get(date=D(date)).kind


def test_the_calendar_holds_2018_to_2026():
    assert sorted(CalendarYear.objects.values_list("year", flat=True)) == list(range(2018, 2027))


def test_the_calendar_does_not_hold_2027():
    assert not CalendarYear.objects.filter(year=2027).exists()
    assert not BusinessDay.objects.filter(date__year=2027).exists()


def test_every_day_of_a_held_year_has_a_row():
    assert BusinessDay.objects.filter(date__year=2026).count() == 365


def test_a_national_day_holiday_is_a_holiday():
    assert kind_of("2026-10-01") == BusinessDay.Kind.HOLIDAY


def test_a_holiday_falling_on_a_weekend_is_a_holiday():
    assert kind_of("2026-10-03") == BusinessDay.Kind.HOLIDAY


def test_a_mid_autumn_festival_day_is_a_holiday():
    assert kind_of("2026-09-25") == BusinessDay.Kind.HOLIDAY


def test_official_make_up_workdays_are_make_up_workdays():
    assert kind_of("2026-09-20") == BusinessDay.Kind.MAKEUP_WORKDAY
    assert kind_of("2026-10-10") == BusinessDay.Kind.MAKEUP_WORKDAY


def test_an_ordinary_weekend_is_a_weekend():
    assert kind_of("2026-11-14") == BusinessDay.Kind.WEEKEND


def test_an_ordinary_weekday_is_a_workday():
    assert kind_of("2026-11-11") == BusinessDay.Kind.WORKDAY


def test_package_days_refuses_a_year_the_package_does_not_hold():
    with pytest.raises(UnknownYear):
        package_days(2027)


def test_package_days_lists_every_day_of_the_year():
    days = package_days(2026)
    assert len(days) == 365
    assert days[0][0] == D("2026-01-01") and days[-1][0] == D("2026-12-31")


def test_working_calendar_counts_a_make_up_workday_as_working():
    info = WorkingCalendar(D("2026-10-01"), D("2026-10-31")).day(D("2026-10-10"))
    assert info.working and info.confirmed


def test_working_calendar_falls_back_to_weekends_unconfirmed_in_an_unheld_year():
    calendar = WorkingCalendar(D("2027-01-01"), D("2027-01-31"))
    assert calendar.day(D("2027-01-01")).working is True  # a Friday, on weekends alone
    assert calendar.day(D("2027-01-02")).working is False
    assert calendar.day(D("2027-01-01")).confirmed is False


def correct(date: str, kind: str):
    BusinessDay.objects.filter(date=D(date)).update(kind=kind, name="临时调整", source="admin:ops")


def test_load_year_keeps_administrators_corrections():
    correct("2026-11-11", BusinessDay.Kind.HOLIDAY)
    load_year(year=2026, day_model=BusinessDay, year_model=CalendarYear)
    day = BusinessDay.objects.get(date=D("2026-11-11"))
    assert (day.kind, day.source) == (BusinessDay.Kind.HOLIDAY, "admin:ops")


def test_load_year_reports_the_days_it_wrote_without_the_kept_corrections():
    correct("2026-11-11", BusinessDay.Kind.HOLIDAY)
    assert load_year(year=2026, day_model=BusinessDay, year_model=CalendarYear) == 364
    assert BusinessDay.objects.filter(date__year=2026).count() == 365


def test_load_year_with_replace_overwrites_administrators_corrections():
    correct("2026-11-11", BusinessDay.Kind.HOLIDAY)
    assert load_year(year=2026, day_model=BusinessDay, year_model=CalendarYear, replace=True) == 365
    day = BusinessDay.objects.get(date=D("2026-11-11"))
    assert (day.kind, day.source) == (BusinessDay.Kind.WORKDAY, PACKAGE_SOURCE)


def test_load_year_rewrites_package_days_from_the_package():
    BusinessDay.objects.filter(date=D("2026-10-01")).update(kind=BusinessDay.Kind.WORKDAY)
    load_year(year=2026, day_model=BusinessDay, year_model=CalendarYear)
    assert kind_of("2026-10-01") == BusinessDay.Kind.HOLIDAY
    assert BusinessDay.objects.filter(date__year=2026).count() == 365


def test_load_year_refuses_a_year_the_package_does_not_hold():
    with pytest.raises(UnknownYear):
        load_year(year=2027, day_model=BusinessDay, year_model=CalendarYear)
    assert not CalendarYear.objects.filter(year=2027).exists()


def test_a_correction_saved_in_the_admin_is_stamped_with_its_author(admin_client):
    day = BusinessDay.objects.get(date=D("2026-11-11"))
    response = admin_client.post(
        f"/admin/escalation/businessday/{day.pk}/change/",
        {"date": "2026-11-11", "kind": "holiday", "name": "临时调整", "source": PACKAGE_SOURCE})
    assert response.status_code == 302, response.content[:2000]
    day.refresh_from_db()
    assert day.kind == BusinessDay.Kind.HOLIDAY
    assert day.source.startswith("admin:")
    assert day.source != PACKAGE_SOURCE


# --- The per-process cache (issue 8: intake computes a deadline per complaint) ---

def test_calendar_cache_serves_the_same_days_within_its_time(settings, django_assert_num_queries):
    from escalation.calendar import calendar_around, forget_recent

    settings.REFERENCE_CACHE_SECONDS = 60
    forget_recent()
    first = calendar_around(dt.date(2026, 9, 28))
    with django_assert_num_queries(0):
        assert calendar_around(dt.date(2026, 9, 28)) is first


def test_a_calendar_day_corrected_in_the_admin_is_used_at_once_despite_the_cache(settings):
    from escalation.calendar import calendar_around, forget_recent
    from escalation.models import BusinessDay

    settings.REFERENCE_CACHE_SECONDS = 60
    forget_recent()
    day = dt.date(2026, 10, 10)  # a Saturday in the 2026 table
    assert calendar_around(day).day(day).working is (BusinessDay.objects.get(date=day).is_working)
    row = BusinessDay.objects.get(date=day)
    row.kind = BusinessDay.Kind.HOLIDAY if row.is_working else BusinessDay.Kind.MAKEUP_WORKDAY
    row.save()
    assert calendar_around(day).day(day).working is row.is_working


def test_reference_cache_off_reads_the_calendar_every_time(settings, django_assert_num_queries):
    from escalation.calendar import calendar_around, forget_recent

    settings.REFERENCE_CACHE_SECONDS = 0
    forget_recent()
    first = calendar_around(dt.date(2026, 9, 28))
    assert calendar_around(dt.date(2026, 9, 28)) is not first
