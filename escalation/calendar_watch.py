"""§4: from 1 November, administrators are warned once if next year is not in
the business calendar (the State Council publishes it each November)."""

import datetime as dt
import logging

from django.utils.translation import gettext as _

from escalation import recipients
from escalation.alerts import tell_once
from escalation.models import CalendarYear, Notification
from escalation.notifications import notify

log = logging.getLogger(__name__)
WARN_FROM_MONTH = 11  # the State Council publishes next year's schedule in November


def calendar_watch(*, today: dt.date) -> bool:
    """Warn administrators once, from 1 November, that next year is missing."""
    upcoming = today.year + 1
    if today.month < WARN_FROM_MONTH or CalendarYear.objects.filter(year=upcoming).exists():
        return False
    if not tell_once(f"calendar:missing:{upcoming}"):
        return False
    notify(recipients=recipients.administrators(), kind=Notification.Kind.CALENDAR,
           title=_("The business calendar has no %(year)d yet") % {"year": upcoming},
           body=_("Deadlines in %(year)d are computed on weekends alone and flagged "
                  "“calendar unconfirmed” until the year is entered. Load it with "
                  "“python manage.py load_calendar %(year)d” once the package knows it, or enter the "
                  "holidays and make-up workdays in the admin and add the calendar year.")
           % {"year": upcoming})
    log.warning("Business calendar has no %s", upcoming)
    return True
