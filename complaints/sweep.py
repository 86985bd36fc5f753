"""The deadline sweep (docs/rules.md §4), run every minute by Celery beat and by
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

from accounts.selectors import holders_remembered
from complaints import tracking
from complaints.models import Complaint, HistoryEntry
from complaints.services.history import history_entry
from complaints.services.ownership import upgrade
from config import clock
from config.bulk import update_rows
from escalation import recipients
from escalation.calendar_watch import calendar_watch
from escalation.models import Alert, Notification
from escalation.notifications import hand_over_pending, notification_rows

log = logging.getLogger(__name__)
BATCH = 200


@dataclass
class SweepResult:
    cases: int = 0
    due_soon: int = 0
    overdue: int = 0
    emailed: int = 0  # sent by the sweep itself (only when the broker could not take the task)
    events: list[str] = field(default_factory=list)


# The case's free text and personal data: no deadline rule reads them, and a
# batch of 200 cases read them all (a sweep test pins that none is read later).
NOT_READ = ["reason", "request", "narrative", "remedy", "resolution", "revisit_note", "root_cause", "reply_summary",
            "rectification", "responsible_party", "invalid_reason", "product_ref", "complainant_name",
            "complainant_phone", "complainant_id_number", "complainant_region", "responsible_department"]
FIELDS_SWEPT = ["next_due", "is_overdue", "next_check_at", "level", "classification", "priority",
                "urgent_reasons", "is_upgraded", "upgrade_reason", "updated_at"]


@dataclass
class _Writes:
    """What one batch writes, in one statement per table at its end."""

    alerts: list = field(default_factory=list)
    notifications: list = field(default_factory=list)
    history: list = field(default_factory=list)


def sweep(*, now: dt.datetime | None = None, limit: int = 10_000) -> SweepResult:
    now = now or clock.now()
    result = SweepResult()
    retries = 0
    with translation.override("zh-hans"), holders_remembered():
        while result.cases < limit:
            try:
                if not _sweep_batch(now, min(BATCH, limit - result.cases), result):
                    break  # nothing due, or every due case is locked by another sweep
            except IntegrityError:
                # Another sweep told some of these events first: possible only where
                # rows cannot be locked (SQLite, the demo). The batch rolled back
                # whole; claimed again, it sees that sweep's alerts.
                retries += 1
                if retries > 3:
                    raise
                log.info("A concurrent sweep told some events of this batch first; claiming it again.")
                continue
            retries = 0
        calendar_watch(today=timezone.localtime(now).date())
    result.emailed = hand_over_pending()
    return result


def _claim_batch(now: dt.datetime, size: int) -> list[Complaint]:
    """Up to ``size`` due cases, locked for this transaction; cases another
    sweep holds are skipped, not waited for."""
    qs = (Complaint.objects.select_related("owner", "owner__supervisor", "org_unit", "category")
          .defer(*NOT_READ).filter(next_check_at__lte=now).order_by("next_check_at", "pk"))
    if connection.features.has_select_for_update_skip_locked:
        qs = qs.select_for_update(skip_locked=True, of=("self",))
    else:
        qs = qs.select_for_update()
    return list(qs[:size])


def _sweep_batch(now: dt.datetime, size: int, result: SweepResult) -> bool:
    """One transaction: claim a batch, decide every event of every case, then
    write the alerts, notifications, history and cases in one statement each.
    The alert keys are unique: with the cases locked, an event is told once
    even when sweeps overlap, and a sweep that dies writes nothing."""
    with transaction.atomic():
        cases = _claim_batch(now, size)
        if not cases:
            return False
        recorded = tracking.recorded_keys_of([c.pk for c in cases])
        writes, told = _Writes(), []
        for complaint in cases:
            seen = recorded.get(complaint.pk, set())
            for event in tracking.events(complaint):
                key = event.key(complaint.pk)
                if event.fire_at > now or key in seen:
                    continue
                writes.alerts.append(Alert(key=key, complaint=complaint))
                _act(complaint, event, now, writes)
                told.append((key, event.kind))
                seen.add(key)
            tracking.refresh(complaint, recorded=seen, now=now)
            complaint.updated_at = now
        Alert.objects.bulk_create(writes.alerts)
        Notification.objects.bulk_create(writes.notifications)
        HistoryEntry.objects.bulk_create(writes.history)
        update_rows(Complaint, cases, FIELDS_SWEPT)
    # Counted once the batch is written (a batch that rolls back told nothing).
    result.cases += len(cases)
    for key, kind in told:
        result.events.append(key)
        if kind == tracking.OVERDUE:
            result.overdue += 1
        else:
            result.due_soon += 1
    return True


def _words(event: tracking.Event) -> tuple[str, str]:
    """The deadline's name and its due time, as messages show them."""
    label = str(tracking.LABELS.get(event.deadline, event.deadline))
    return label, timezone.localtime(event.due).strftime("%Y-%m-%d %H:%M")


def _tell(writes: _Writes, people, kind: str, complaint, title: str, body: str = "") -> None:
    writes.notifications += notification_rows(recipients=people, kind=kind, complaint=complaint, title=title,
                                              body=body)


def _act(complaint, event: tracking.Event, now: dt.datetime, writes: _Writes) -> None:
    """What each event of each clock does (docs/rules.md §4, §8)."""
    label, due = _words(event)
    number = complaint.number
    if event.deadline == tracking.REPLY:
        # §8: the owner, the supervisor and the cs_manager, 2 working days before and when it passes.
        people = [complaint.owner, *recipients.unit_chain(complaint.org_unit)]
        if event.kind == tracking.SOON:
            _tell(writes, people, Notification.Kind.DUE_SOON, complaint,
                  _("%(number)s: the reply to the forwarding body is due %(due)s") % {"number": number, "due": due})
        else:
            _tell(writes, people, Notification.Kind.OVERDUE, complaint,
                  _("%(number)s: the forwarding body's reply deadline has passed (%(due)s)")
                  % {"number": number, "due": due})
        return
    if event.deadline == tracking.REVISIT:
        _tell(writes, [recipients.supervisor_of(complaint)], Notification.Kind.REMINDER, complaint,
              _("%(number)s: the revisit was due %(due)s and has not been made") % {"number": number, "due": due})
        return
    if event.deadline == tracking.CONTACT:
        _tell(writes, [recipients.supervisor_of(complaint)], Notification.Kind.CONTACT_FAILED, complaint,
              _("%(number)s: the customer was not reached within 3 working days (fewer than 3 attempts)")
              % {"number": number})
        return
    if event.deadline == tracking.PROMISE:
        _tell(writes, [complaint.owner] if complaint.owner else [recipients.supervisor_of(complaint)],
              Notification.Kind.REMINDER, complaint,
              _("%(number)s: the call promised to the customer for %(due)s has not been made")
              % {"number": number, "due": due})
        return
    if event.deadline == tracking.NOTICE:
        _tell(writes, [complaint.owner] if complaint.owner else [recipients.supervisor_of(complaint)],
              Notification.Kind.REMINDER, complaint,
              _("%(number)s: the customer has not been told of the %(what)s within 1 working day")
              % {"number": number, "what": _("extension") if complaint.notice_due_kind == "extension"
                 else _("pause")})
        return
    if event.deadline == tracking.REVIEW:
        _tell(writes, recipients_of_open_reviews(complaint), Notification.Kind.REVIEW, complaint,
              _("%(number)s: a review was due %(due)s and is not decided") % {"number": number, "due": due})
        return
    # What is left are the deadlines that breach (tracking.BREACHES): the first callback and the resolution.
    if event.kind == tracking.SOON:
        writes.notifications += notification_rows(
            recipients=[complaint.owner] if complaint.owner else recipients.owner_and_supervisor(complaint),
            kind=Notification.Kind.DUE_SOON, complaint=complaint,
            title=_("%(number)s: %(deadline)s due soon (%(due)s)")
            % {"number": complaint.number, "deadline": label, "due": due})
        return
    writes.history.append(breached(complaint, event, now=now))
    writes.notifications += notification_rows(
        recipients=recipients.owner_and_supervisor(complaint), kind=Notification.Kind.OVERDUE,
        complaint=complaint, title=_("%(number)s: %(deadline)s deadline breached (%(due)s)")
        % {"number": complaint.number, "deadline": label, "due": due},
        body=_("The case is now overdue and upgraded (III-C)."))


def recipients_of_open_reviews(complaint) -> list:
    """A review's reviewer; when it has none, the reviewing unit's supervisor and cs_manager."""
    people = []
    for review in complaint.reviews.filter(state="open").select_related("owner", "owner_unit"):
        people += [review.owner] if review.owner else recipients.unit_chain(review.owner_unit)
    return people or [recipients.supervisor_of(complaint)]


def breached(complaint, event: tracking.Event, *, now: dt.datetime) -> HistoryEntry:
    """§4 breach: the case is flagged overdue and becomes III-C upgraded (its
    owner keeps it, 首问负责); answers the ``breach`` history entry, not yet
    saved. The demo generator replays a case's life through this too."""
    label, due = _words(event)
    complaint.is_overdue = True
    was = complaint.classification
    reason = _("%(deadline)s deadline breached (%(due)s)") % {"deadline": label, "due": due}
    if not complaint.is_upgraded:
        upgrade(complaint, reason=reason)
    return history_entry(
        complaint, at=now, name="breach", from_state=complaint.state, by=None, comment=reason,
        data={"deadline": event.deadline, "due": event.due.isoformat(), "classification_before": was,
              "classification": complaint.classification})
