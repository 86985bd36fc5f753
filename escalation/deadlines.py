"""Deadline computation, each rule in one function (docs/rules.md §4)."""

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from escalation.calendar import WorkingCalendar, calendar_around


class CallbackRule(models.TextChoices):
    """§4: when the first callback is due."""

    THREE_HOURS = "3h", _("Within 3 hours")
    SAME_DAY = "same_day", _("Same day")
    T1 = "t1", _("T+1 working day")
    T2 = "t2", _("T+2 working days")



THREE_HOURS = dt.timedelta(hours=3)
BASE_WINDOW_DAYS = 15  # §4: the decision is told within 15 calendar days of receipt


def business_hours() -> tuple[dt.time, dt.time]:
    return settings.BUSINESS_DAY_START, settings.BUSINESS_DAY_END


def _local(moment: dt.datetime) -> dt.datetime:
    return timezone.localtime(moment)


def _at(date: dt.date, time: dt.time) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(date, time))


@dataclass(frozen=True)
class Due:
    at: dt.datetime
    confirmed: bool  # False: computed on weekends alone, the year is not in the calendar


def first_callback_due(received_at: dt.datetime, rule: str, calendar: WorkingCalendar | None = None) -> Due:
    """§4 first callback (首次回电).

    - ``3h``: received time + 3 clock hours, day or night, holiday or not.
    - ``same_day``: 18:00 of the received day if that is a working day and the
      complaint came in before 18:00; otherwise 18:00 of the next working day.
    - ``t1`` / ``t2``: 18:00 of the 1st / 2nd working day strictly after the
      received date.

    ``calendar`` may be given by a caller that computes many deadlines (the bulk
    generator); by default the days around the received date are read.
    """
    if rule == CallbackRule.THREE_HOURS:
        return Due(received_at + THREE_HOURS, True)
    local = _local(received_at)
    _, close = business_hours()
    calendar = calendar or calendar_around(local.date())
    if rule == CallbackRule.SAME_DAY:
        today = calendar.day(local.date())
        if today.working and local.time() < close:
            return Due(_at(local.date(), close), today.confirmed)
        day, confirmed = calendar.working_days_after(local.date(), 1)
        return Due(_at(day, close), confirmed and today.confirmed)
    steps = {CallbackRule.T1: 1, CallbackRule.T2: 2}
    if rule not in steps:
        raise ValueError(f"unknown first-callback rule {rule!r}")
    day, confirmed = calendar.working_days_after(local.date(), steps[rule])
    return Due(_at(day, close), confirmed)


def end_of_day(date: dt.date) -> dt.datetime:
    """§4: "a deadline falls at the end of its day" — the last second of it."""
    return _at(date, dt.time(23, 59, 59))


def resolution_due(received_at: dt.datetime, window_days: int, paused_seconds: int = 0) -> dt.datetime:
    """§4 resolution: within ``window_days`` calendar days of receipt (15, extended
    to 30 or 60), at the end of that day. Time paused for outside appraisal,
    testing or mediation does not count: it pushes the deadline back, and the
    deadline still falls at the end of a day (so paused time counts in whole
    days, rounded up)."""
    due = end_of_day(_local(received_at).date() + dt.timedelta(days=window_days))
    if paused_seconds:
        due = end_of_day(_local(due + dt.timedelta(seconds=paused_seconds)).date())
    return due


def due_soon_at(start: dt.datetime, due: dt.datetime) -> dt.datetime:
    """§4: a case is due soon when less than a fifth of its window is left."""
    return due - (due - start) / 5
