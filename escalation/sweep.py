"""The deadline sweep (DOMAIN.md §4), run every minute by Celery beat and by
``python manage.py sweep_deadlines``.

It reads only cases whose ``next_check_at`` has come (a partial index), so its
cost grows with the number of due cases, not with the total. Each event is
told once: an ``Alert`` row with a unique key is written in the same
transaction as its effects, and each case is claimed with
``SELECT … FOR UPDATE SKIP LOCKED``, so overlapping sweeps and a worker that
dies mid-run neither duplicate nor lose an event.
"""

import datetime as dt
import logging
from dataclasses import dataclass, field

from django.db import IntegrityError, connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from complaints.models import Complaint
from escalation import recipients, tracking
from escalation.models import Alert, CalendarYear, Notification
from escalation.notifications import deliver_pending, delivered_at_the_end, notify

log = logging.getLogger(__name__)
BATCH = 200


@dataclass
class SweepResult:
    cases: int = 0
    due_soon: int = 0
    overdue: int = 0
    events: list[str] = field(default_factory=list)


def record_alert(key: str, complaint=None) -> bool:
    """True the first time ``key`` is seen; False ever after."""
    try:
        with transaction.atomic():
            Alert.objects.create(key=key, complaint=complaint)
    except IntegrityError:
        return False
    return True


def sweep(*, now: dt.datetime | None = None, limit: int = 10_000) -> SweepResult:
    now = now or timezone.now()
    result = SweepResult()
    with translation.override("zh-hans"), recipients.remembered(), delivered_at_the_end():
        while result.cases < limit:
            ids = list(Complaint.objects.filter(next_check_at__lte=now)
                       .order_by("next_check_at").values_list("pk", flat=True)[:BATCH])
            if not ids:
                break
            progressed = False
            for pk in ids:
                progressed |= _sweep_case(pk, now, result)
            if not progressed:
                break  # every due case is locked by another sweep
        calendar_watch(today=timezone.localtime(now).date())
    deliver_pending()
    return result


def _claim(pk: int, now: dt.datetime):
    qs = Complaint.objects.select_related("owner", "owner__supervisor", "org_unit", "category")
    if connection.features.has_select_for_update_skip_locked:
        qs = qs.select_for_update(skip_locked=True, of=("self",))
    else:
        qs = qs.select_for_update()
    return qs.filter(pk=pk, next_check_at__lte=now).order_by("pk").first()


def _sweep_case(pk: int, now: dt.datetime, result: SweepResult) -> bool:
    with transaction.atomic():
        complaint = _claim(pk, now)
        if complaint is None:
            return False
        recorded = tracking.recorded_keys(complaint)
        for event in tracking.events(complaint):
            key = event.key(complaint.pk)
            if event.fire_at > now or key in recorded:
                continue
            if record_alert(key, complaint):
                _act(complaint, event, now)
                result.events.append(key)
                if event.kind == tracking.OVERDUE:
                    result.overdue += 1
                else:
                    result.due_soon += 1
            recorded.add(key)
        tracking.refresh(complaint, recorded=recorded, now=now)
        complaint.save(update_fields=["next_due", "is_overdue", "next_check_at", "level",
                                      "classification", "priority", "urgent_reasons",
                                      "is_upgraded", "upgrade_reason", "updated_at"])
        result.cases += 1
    return True


def _act(complaint, event: tracking.Event, now: dt.datetime) -> None:
    label = _("First callback") if event.deadline == tracking.CALLBACK else _("Resolution")
    due = timezone.localtime(event.due).strftime("%Y-%m-%d %H:%M")
    if event.kind == tracking.SOON:
        notify(recipients=[complaint.owner] if complaint.owner else recipients.owner_and_supervisor(complaint),
               kind=Notification.Kind.DUE_SOON, complaint=complaint,
               title=_("%(number)s: %(deadline)s due soon (%(due)s)")
               % {"number": complaint.number, "deadline": label, "due": due})
        return
    # §4 breach: flagged overdue, upgraded to III-C, owner and supervisor told once.
    from complaints.services import upgrade

    complaint.is_overdue = True
    was = complaint.classification
    reason = _("%(deadline)s deadline breached (%(due)s)") % {"deadline": label, "due": due}
    if not complaint.is_upgraded:
        upgrade(complaint, reason=reason, reassign=False)
    from complaints.services import record_history

    record_history(
        complaint, at=now, name="breach", from_state=complaint.state, by=None, comment=reason,
        data={"deadline": event.deadline, "due": event.due.isoformat(), "classification_before": was,
              "classification": complaint.classification},
    )
    notify(recipients=recipients.owner_and_supervisor(complaint), kind=Notification.Kind.OVERDUE,
           complaint=complaint, title=_("%(number)s: %(deadline)s deadline breached (%(due)s)")
           % {"number": complaint.number, "deadline": label, "due": due},
           body=_("The case is now overdue and upgraded (III-C)."))


def calendar_watch(*, today: dt.date) -> bool:
    """§4: from 1 November, warn administrators once if next year is not in the
    business calendar (the State Council publishes it each November)."""
    upcoming = today.year + 1
    if today.month < 11 or CalendarYear.objects.filter(year=upcoming).exists():
        return False
    if not record_alert(f"calendar:missing:{upcoming}"):
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
