"""Deadline computation, each rule in one function (docs/rules.md §4)."""

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from escalation.calendar import WorkingCalendar, calendar_around, calendar_before


class CallbackRule(models.TextChoices):
    """§4: when the first callback is due."""

    THREE_HOURS = "3h", _("Within 3 hours")
    SAME_DAY = "same_day", _("Same day")
    T1 = "t1", _("T+1 working day")
    T2 = "t2", _("T+2 working days")



THREE_HOURS = dt.timedelta(hours=3)
BASE_WINDOW_DAYS = 15  # §4: the decision is told within 15 calendar days of receipt
REVIEW_WINDOW_DAYS = 30  # §8: a review is asked for, and decided, within 30 calendar days
REVISIT_WORKING_DAYS = 3  # §8: the revisit by the 3rd working day after the resolution
CONTACT_WORKING_DAYS = 3  # §4/§8: the customer reached by the 3rd working day after intake
CONTACT_ATTEMPTS = 3  # §4: ... or 3 attempts made; after the 3rd failed one the supervisor is told
NOTICE_WORKING_DAYS = 1  # §8: an extension or a pause told within 1 working day
REPLY_WARNING_WORKING_DAYS = 2  # §8: a forwarding body's deadline warned 2 working days ahead


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


def close_of_working_day_after(moment: dt.datetime, n: int) -> Due:
    """Close of business (18:00) of the n-th working day strictly after the
    day of ``moment``: the revisit is due by the 3rd after the resolution, the
    customer must be reached by the 3rd after intake (docs/rules.md §8)."""
    local = _local(moment)
    day, confirmed = calendar_around(local.date()).working_days_after(local.date(), n)
    return Due(_at(day, business_hours()[1]), confirmed)


def working_days_before(due: dt.datetime, n: int) -> dt.datetime:
    """The same time of day, n working days before ``due``: a forwarding body's
    deadline is warned 2 working days ahead (docs/rules.md §8)."""
    local = _local(due)
    day, _ = calendar_before(local.date()).working_days_before(local.date(), n)
    return _at(day, local.time())


def end_of_day(date: dt.date) -> dt.datetime:
    """§4: "a deadline falls at the end of its day" — the last second of it."""
    return _at(date, dt.time(23, 59, 59))


def end_of_calendar_day_after(moment: dt.datetime, days: int) -> dt.datetime:
    """The end of the ``days``-th calendar day after the day of ``moment`` (a
    deadline falls at the end of its day, §4): "within 30 calendar days" of a
    decision notice or of a review request (docs/rules.md §8)."""
    return end_of_day(_local(moment).date() + dt.timedelta(days=days))


def resolution_due(received_at: dt.datetime, window_days: int, paused_seconds: int = 0) -> dt.datetime:
    """§4 resolution: within ``window_days`` calendar days of receipt (15, extended
    to 30 or 60), at the end of that day. Time paused for outside appraisal,
    testing or mediation does not count: it pushes the deadline back, and the
    deadline still falls at the end of a day (so paused time counts in whole
    days, rounded up)."""
    due = end_of_calendar_day_after(received_at, window_days)
    if paused_seconds:
        due = end_of_day(_local(due + dt.timedelta(seconds=paused_seconds)).date())
    return due


def due_soon_at(start: dt.datetime, due: dt.datetime) -> dt.datetime:
    """§4: a case is due soon when less than a fifth of its window is left."""
    return due - (due - start) / 5
