"""DOMAIN.md §4 resolution (处理决定告知客户): 15 calendar days, extended to 30 or 60,
at the end of the day; paused time pushes it back; due soon with less than a
fifth of the window left."""

import datetime as dt

import pytest

from escalation.deadlines import due_soon_at, resolution_due
from tests.conftest import SHANGHAI, at

pytestmark = pytest.mark.django_db


def end_of(date: str) -> dt.datetime:
    return dt.datetime.fromisoformat(date).replace(hour=23, minute=59, second=59, tzinfo=SHANGHAI)


def test_resolution_is_due_at_the_end_of_the_15th_calendar_day():
    assert resolution_due(at("2026-11-01 10:00"), 15) == end_of("2026-11-16")


def test_resolution_counts_calendar_days_through_holidays():
    # National Day does not stop the regulator's clock.
    assert resolution_due(at("2026-09-30 10:00"), 15) == end_of("2026-10-15")


def test_resolution_extended_to_30_days():
    assert resolution_due(at("2026-11-01 10:00"), 30) == end_of("2026-12-01")


def test_resolution_extended_to_60_days_crosses_the_year():
    assert resolution_due(at("2026-11-01 10:00"), 60) == end_of("2026-12-31")


def test_resolution_uses_the_shanghai_date_of_receipt():
    received = dt.datetime(2026, 10, 31, 17, 0, tzinfo=dt.timezone.utc)  # 11-01 01:00 in Shanghai
    assert resolution_due(received, 15) == end_of("2026-11-16")


def test_resolution_deadline_is_the_last_second_of_its_day_in_shanghai():
    due = resolution_due(at("2026-11-01 10:00"), 15)
    assert due.astimezone(SHANGHAI).time() == dt.time(23, 59, 59)
    assert due.utcoffset() == dt.timedelta(hours=8)


def test_a_two_hour_pause_pushes_the_deadline_by_a_whole_day():
    assert resolution_due(at("2026-11-01 10:00"), 15, paused_seconds=2 * 3600) == end_of("2026-11-17")


def test_a_one_second_pause_still_pushes_the_deadline_by_a_whole_day():
    assert resolution_due(at("2026-11-01 10:00"), 15, paused_seconds=1) == end_of("2026-11-17")


def test_a_pause_of_exactly_one_day_pushes_the_deadline_by_one_day():
    assert resolution_due(at("2026-11-01 10:00"), 15, paused_seconds=86400) == end_of("2026-11-17")


def test_a_pause_just_over_one_day_pushes_the_deadline_by_two_days():
    assert resolution_due(at("2026-11-01 10:00"), 15, paused_seconds=86401) == end_of("2026-11-18")


def test_no_pause_changes_nothing():
    assert resolution_due(at("2026-11-01 10:00"), 15, paused_seconds=0) == resolution_due(
        at("2026-11-01 10:00"), 15)


def test_due_soon_starts_when_a_fifth_of_the_window_is_left():
    start, due = at("2026-11-01 00:00"), at("2026-11-16 00:00")
    assert due_soon_at(start, due) == at("2026-11-13 00:00")


def test_due_soon_leaves_exactly_a_fifth_of_the_window():
    start = at("2026-11-01 10:00")
    due = resolution_due(start, 15)
    soon = due_soon_at(start, due)
    assert due - soon == (due - start) / 5
    assert start < soon < due
