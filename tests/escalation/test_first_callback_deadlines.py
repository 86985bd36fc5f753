"""DOMAIN.md §4 first callback (首次回电): the 3-hour, same-day and T+1/T+2 rules
on the Chinese statutory calendar, including 2026's Mid-Autumn Festival
(09-25..09-27), National Day (10-01..10-07) and make-up workdays (Sun 09-20,
Sat 10-10), a year the calendar does not hold (2027) and administrators'
corrections."""

import datetime as dt

import pytest

from escalation.deadlines import Due, first_callback_due
from escalation.models import BusinessDay
from tests.conftest import at

pytestmark = pytest.mark.django_db


def due(received: str, rule: str) -> Due:
    return first_callback_due(at(received), rule)


# --- same day (当天) ---------------------------------------------------------

def test_same_day_before_close_on_a_working_day_is_due_at_close_that_day():
    assert due("2026-09-18 17:59", "same_day") == Due(at("2026-09-18 18:00"), True)


def test_same_day_at_close_exactly_is_due_at_close_of_the_next_working_day():
    assert due("2026-11-11 18:00", "same_day") == Due(at("2026-11-12 18:00"), True)


def test_same_day_before_opening_on_a_working_day_is_due_at_close_that_day():
    assert due("2026-11-11 07:45", "same_day") == Due(at("2026-11-11 18:00"), True)


def test_same_day_after_hours_on_friday_is_due_monday_at_close():
    assert due("2026-11-13 19:30", "same_day") == Due(at("2026-11-16 18:00"), True)


def test_same_day_on_saturday_is_due_at_close_of_the_next_working_day():
    assert due("2026-11-14 10:00", "same_day") == Due(at("2026-11-16 18:00"), True)


def test_same_day_on_sunday_is_due_at_close_of_the_next_working_day():
    assert due("2026-11-15 10:00", "same_day") == Due(at("2026-11-16 18:00"), True)


def test_same_day_on_a_public_holiday_is_due_on_the_first_working_day_after_it():
    # National Day 2026: Thu 10-01 .. Wed 10-07; Thu 10-08 is the first working day.
    assert due("2026-10-01 10:00", "same_day") == Due(at("2026-10-08 18:00"), True)


def test_same_day_on_a_holiday_weekend_inside_national_day_is_due_after_the_holiday():
    assert due("2026-10-04 10:00", "same_day") == Due(at("2026-10-08 18:00"), True)


def test_same_day_on_a_saturday_make_up_workday_is_due_that_day():
    assert due("2026-10-10 10:00", "same_day") == Due(at("2026-10-10 18:00"), True)


def test_same_day_on_a_sunday_make_up_workday_is_due_that_day():
    assert due("2026-09-20 10:00", "same_day") == Due(at("2026-09-20 18:00"), True)


def test_same_day_after_hours_on_friday_before_a_make_up_sunday_is_due_that_sunday():
    assert due("2026-09-18 18:30", "same_day") == Due(at("2026-09-20 18:00"), True)


def test_same_day_follows_the_configured_close_of_business(settings):
    settings.BUSINESS_DAY_END = dt.time(17, 30)
    assert due("2026-11-11 17:29", "same_day") == Due(at("2026-11-11 17:30"), True)
    assert due("2026-11-11 17:30", "same_day") == Due(at("2026-11-12 17:30"), True)


# --- T+1 / T+2 --------------------------------------------------------------

def test_t1_is_the_next_working_day_even_when_received_before_opening():
    assert due("2026-11-10 08:00", "t1") == Due(at("2026-11-11 18:00"), True)


def test_t2_is_the_second_working_day_strictly_after_the_received_date():
    assert due("2026-11-10 08:00", "t2") == Due(at("2026-11-12 18:00"), True)


def test_t1_late_on_friday_skips_the_weekend():
    assert due("2026-11-13 23:59", "t1") == Due(at("2026-11-16 18:00"), True)


def test_t1_before_mid_autumn_skips_the_festival():
    # Mid-Autumn 2026: Fri 09-25 .. Sun 09-27.
    assert due("2026-09-24 10:00", "t1") == Due(at("2026-09-28 18:00"), True)


def test_t2_before_mid_autumn_skips_the_festival():
    assert due("2026-09-24 10:00", "t2") == Due(at("2026-09-29 18:00"), True)


def test_t1_before_national_day_skips_the_whole_holiday():
    assert due("2026-09-30 10:00", "t1") == Due(at("2026-10-08 18:00"), True)


def test_t2_before_national_day_skips_the_whole_holiday():
    assert due("2026-09-29 10:00", "t2") == Due(at("2026-10-08 18:00"), True)


def test_t1_can_fall_on_a_saturday_make_up_workday():
    assert due("2026-10-09 10:00", "t1") == Due(at("2026-10-10 18:00"), True)


def test_t2_counts_a_sunday_make_up_workday():
    assert due("2026-09-18 10:00", "t2") == Due(at("2026-09-21 18:00"), True)


def test_t1_received_on_a_make_up_workday_counts_from_that_day():
    assert due("2026-10-10 10:00", "t1") == Due(at("2026-10-12 18:00"), True)


def test_t2_received_on_a_make_up_workday_counts_from_that_day():
    assert due("2026-09-20 10:00", "t2") == Due(at("2026-09-22 18:00"), True)


def test_t1_received_on_a_holiday_is_the_first_working_day_after_it():
    assert due("2026-10-03 10:00", "t1") == Due(at("2026-10-08 18:00"), True)


def test_t2_received_on_a_holiday_is_the_second_working_day_after_it():
    assert due("2026-09-25 10:00", "t2") == Due(at("2026-09-29 18:00"), True)


def test_t2_across_new_year_into_a_held_year_is_confirmed():
    # 2026-01-01..03 are holidays, Sun 2026-01-04 is a make-up workday.
    assert due("2025-12-31 10:00", "t2") == Due(at("2026-01-05 18:00"), True)


def test_an_unknown_rule_is_refused():
    with pytest.raises(ValueError):
        due("2026-11-10 10:00", "t3")


# --- 3 hours (urgent) -------------------------------------------------------

def test_3h_at_night_is_three_clock_hours_later_the_next_day():
    assert due("2026-11-10 23:30", "3h") == Due(at("2026-11-11 02:30"), True)


def test_3h_on_a_public_holiday_is_three_clock_hours_later():
    assert due("2026-10-01 10:00", "3h") == Due(at("2026-10-01 13:00"), True)


def test_3h_ignores_business_hours():
    assert due("2026-11-13 17:00", "3h") == Due(at("2026-11-13 20:00"), True)


def test_3h_ignores_weekends():
    assert due("2026-11-14 22:00", "3h") == Due(at("2026-11-15 01:00"), True)


# --- a year the calendar does not hold (2027) -------------------------------

def test_t2_from_the_last_day_of_a_held_year_into_an_unheld_one_is_unconfirmed():
    # 2027 on weekends alone: Fri 01-01 and Mon 01-04 are working days.
    assert due("2026-12-31 10:00", "t2") == Due(at("2027-01-04 18:00"), False)


def test_t1_into_an_unheld_year_uses_weekends_alone():
    assert due("2026-12-31 10:00", "t1") == Due(at("2027-01-01 18:00"), False)


def test_same_day_after_hours_spilling_into_an_unheld_year_is_unconfirmed():
    assert due("2026-12-31 18:30", "same_day") == Due(at("2027-01-01 18:00"), False)


def test_same_day_on_a_weekend_of_an_unheld_year_moves_to_monday_unconfirmed():
    assert due("2027-01-02 10:00", "same_day") == Due(at("2027-01-04 18:00"), False)


def test_same_day_on_a_weekday_of_an_unheld_year_is_unconfirmed():
    assert due("2027-01-04 10:00", "same_day") == Due(at("2027-01-04 18:00"), False)


def test_a_deadline_fully_inside_a_held_year_is_confirmed():
    assert due("2026-12-29 10:00", "t2") == Due(at("2026-12-31 18:00"), True)


# --- administrators' corrections --------------------------------------------

def correct(date: str, kind: str):
    BusinessDay.objects.filter(date=dt.date.fromisoformat(date)).update(
        kind=kind, name="临时调整", source="admin:ops")


def test_a_workday_corrected_to_holiday_moves_the_t1_deadline():
    correct("2026-11-11", BusinessDay.Kind.HOLIDAY)
    assert due("2026-11-10 10:00", "t1") == Due(at("2026-11-12 18:00"), True)


def test_a_workday_corrected_to_holiday_moves_the_same_day_deadline():
    correct("2026-11-11", BusinessDay.Kind.HOLIDAY)
    assert due("2026-11-11 10:00", "same_day") == Due(at("2026-11-12 18:00"), True)


def test_a_weekend_corrected_to_make_up_workday_becomes_a_working_day():
    correct("2026-11-14", BusinessDay.Kind.MAKEUP_WORKDAY)
    assert due("2026-11-13 10:00", "t1") == Due(at("2026-11-14 18:00"), True)


# --- time zone --------------------------------------------------------------

def test_same_day_reads_the_received_time_in_shanghai():
    received = dt.datetime(2026, 11, 11, 9, 59, tzinfo=dt.timezone.utc)  # 17:59 in Shanghai
    assert first_callback_due(received, "same_day") == Due(at("2026-11-11 18:00"), True)


def test_t1_reads_the_received_date_in_shanghai():
    received = dt.datetime(2026, 11, 10, 16, 30, tzinfo=dt.timezone.utc)  # 11-11 00:30 in Shanghai
    assert first_callback_due(received, "t1") == Due(at("2026-11-12 18:00"), True)
