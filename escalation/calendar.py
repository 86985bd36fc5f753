"""Chinese statutory working days (docs/rules.md §4).

Working days are Monday–Friday minus public holidays plus the official
make-up workdays (调休上班). The table is seeded from the ``chinesecalendar``
package, which carries the State Council schedules and refuses years it does
not know; administrators correct and extend it in the admin.
"""

import datetime as dt
from dataclasses import dataclass

from django.db import transaction

from config.kept import KeptInProcess
from escalation.models import BusinessDay, CalendarYear

PACKAGE_SOURCE = "chinesecalendar"
LOOKAHEAD_DAYS = 45  # longer than any run of days off (Spring Festival + weekends)


class UnknownYear(Exception):
    """The package holds no schedule for this year."""


def package_days(year: int) -> list[tuple[dt.date, str, str]]:
    """Every day of ``year`` as (date, kind, holiday name) from chinesecalendar."""
    import chinese_calendar

    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    days, day = [], start
    while day <= end:
        try:
            on_holiday, name = chinese_calendar.get_holiday_detail(day)
        except NotImplementedError as exc:
            raise UnknownYear(str(exc)) from exc
        weekend = day.weekday() >= 5
        if on_holiday and name:
            kind = "holiday"
        elif on_holiday:
            kind = "weekend"
        elif weekend:
            kind, name = "makeup_workday", name or ""
        else:
            kind = "workday"
        days.append((day, kind, str(name or "")))
        day += dt.timedelta(days=1)
    return days


def load_year(*, year: int, day_model, year_model, replace: bool = False) -> int:
    """Write one year from the package into the table; returns days written.

    Days an administrator entered by hand (another source) are kept unless
    ``replace`` is set. Takes the models so a data migration can call it.
    """
    days = package_days(year)
    with transaction.atomic():
        existing = set(
            day_model.objects.filter(date__year=year).exclude(source=PACKAGE_SOURCE)
            .values_list("date", flat=True)
        )
        if replace:
            day_model.objects.filter(date__year=year).delete()
            existing = set()
        else:
            day_model.objects.filter(date__year=year, source=PACKAGE_SOURCE).delete()
        day_model.objects.bulk_create(
            day_model(date=d, kind=k, name=n, source=PACKAGE_SOURCE)
            for d, k, n in days if d not in existing
        )
        year_model.objects.update_or_create(year=year, defaults={"source": PACKAGE_SOURCE})
    forget_recent()
    return len(days) - len(existing)


@dataclass(frozen=True)
class DayInfo:
    date: dt.date
    working: bool
    confirmed: bool


class WorkingCalendar:
    """Answers "is this a working day?" for a window of dates with one query."""

    def __init__(self, start: dt.date, end: dt.date):
        self.known_years = set(
            CalendarYear.objects.filter(year__gte=start.year, year__lte=end.year)
            .values_list("year", flat=True)
        )
        self.kinds = dict(
            BusinessDay.objects.filter(date__gte=start, date__lte=end).values_list("date", "kind")
        )
        self.start, self.end = start, end

    def day(self, date: dt.date) -> DayInfo:
        kind = self.kinds.get(date)
        if kind is not None:
            return DayInfo(date, kind in BusinessDay.WORKING_KINDS, True)
        # A held year without this row (an admin removed it) or a year not held:
        # weekends alone, and only "confirmed" when the year is held.
        return DayInfo(date, date.weekday() < 5, date.year in self.known_years)

    def working_days_before(self, date: dt.date, n: int) -> tuple[dt.date, bool]:
        """The n-th working day strictly before ``date``; and whether every day
        looked at came from a held year."""
        confirmed, day, found = True, date, 0
        while found < n:
            day -= dt.timedelta(days=1)
            info = self.day(day)
            confirmed &= info.confirmed
            if info.working:
                found += 1
        return day, confirmed

    def working_days_after(self, date: dt.date, n: int) -> tuple[dt.date, bool]:
        """The n-th working day strictly after ``date``; and whether every day
        looked at came from a held year."""
        confirmed, day, found = True, date, 0
        while found < n:
            day += dt.timedelta(days=1)
            info = self.day(day)
            confirmed &= info.confirmed
            if info.working:
                found += 1
        return day, confirmed


_recent: KeptInProcess[WorkingCalendar] = KeptInProcess()


def calendar_around(date: dt.date) -> WorkingCalendar:
    """The working days from ``date`` on, kept in the process (config/kept.py:
    intake computes a deadline for every complaint)."""
    return _recent.get(date, lambda: WorkingCalendar(date, date + dt.timedelta(days=LOOKAHEAD_DAYS)))


def calendar_before(date: dt.date) -> WorkingCalendar:
    """The working days up to ``date``, kept in the process like ``calendar_around``."""
    return _recent.get(("before", date),
                       lambda: WorkingCalendar(date - dt.timedelta(days=LOOKAHEAD_DAYS), date))


def forget_recent(**kwargs) -> None:
    """Signal receiver and hook: the calendar changed."""
    _recent.forget()
