"""Notifications: rows written in the transaction of the change that causes
them (an outbox), shown in the app at once and e-mailed by the worker after
commit. A broker outage delays e-mail; it never loses a notification nor
fails the change (the beat sweep delivers what is still pending)."""

import logging
from collections.abc import Iterable
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.utils import timezone, translation

from escalation.models import Notification

log = logging.getLogger(__name__)
MAX_EMAIL_ATTEMPTS = 5
_delivering_after = ContextVar("notifications_delivering_after", default=False)


@contextmanager
def delivered_at_the_end():
    """For a caller that ends with ``deliver_pending()`` itself (the sweep):
    notifications written inside do not each ask the worker to deliver."""
    token = _delivering_after.set(True)
    try:
        yield
    finally:
        _delivering_after.reset(token)


def notify(*, recipients: Iterable, kind: str, title: str, body: str = "", complaint=None) -> list[Notification]:
    """Tell each recipient once (duplicates and inactive users dropped)."""
    rows = notification_rows(recipients=recipients, kind=kind, title=title, body=body, complaint=complaint)
    if not rows:
        return []
    created = Notification.objects.bulk_create(rows)
    if not _delivering_after.get() and any(r.email_status == Notification.Email.PENDING for r in rows):
        transaction.on_commit(kick_delivery)
    return created


def notification_rows(*, recipients: Iterable, kind: str, title: str, body: str = "",
                      complaint=None) -> list[Notification]:
    """The rows ``notify`` writes, not yet saved (the sweep writes a batch at once)."""
    seen, rows = set(), []
    for user in recipients:
        if user is None or not user.is_active or user.pk in seen:
            continue
        seen.add(user.pk)
        rows.append(Notification(
            recipient=user, complaint=complaint, kind=kind, title=str(title)[:200], body=str(body),
            email_status=Notification.Email.PENDING if user.email else Notification.Email.SKIPPED,
        ))
    return rows


def kick_delivery() -> None:
    """Ask the worker to send e-mail now; if the broker is down, the periodic
    sweep will deliver instead."""
    from escalation.tasks import deliver_notifications

    try:
        deliver_notifications.apply_async(retry=False)
    except Exception as exc:  # noqa: BLE001 - any broker failure: log, the sweep retries
        log.warning("Could not queue notification delivery (%s); the sweep will deliver it.", exc)


def deliver_pending(*, limit: int = 200) -> int:
    """E-mail pending notifications. Each row is claimed with a conditional
    update, so two workers never send the same one; a worker that dies after
    claiming leaves it pending for the next run."""
    sent = 0
    pending = list(Notification.objects.filter(email_status=Notification.Email.PENDING)
                   .select_related("recipient", "complaint").order_by("created_at", "pk")[:limit])
    for note in pending:
        claimed = Notification.objects.filter(
            pk=note.pk, email_status=Notification.Email.PENDING, email_attempts=note.email_attempts,
        ).update(email_attempts=F("email_attempts") + 1)
        if not claimed:
            continue
        try:
            _send(note)
        except Exception as exc:  # noqa: BLE001 - SMTP and friends: count, retry later
            log.warning("E-mail of notification %s failed: %s", note.pk, exc)
            if note.email_attempts + 1 >= MAX_EMAIL_ATTEMPTS:
                Notification.objects.filter(pk=note.pk).update(email_status=Notification.Email.FAILED)
            continue
        Notification.objects.filter(pk=note.pk).update(email_status=Notification.Email.SENT,
                                                       emailed_at=timezone.now())
        sent += 1
    return sent


def _send(note: Notification) -> None:
    with translation.override(settings.LANGUAGE_CODE):
        context = {"note": note, "complaint": note.complaint, "user": note.recipient}
        subject = render_to_string("emails/notification_subject.txt", context).strip()
        body = render_to_string("emails/notification.txt", context)
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [note.recipient.email])


def mark_read(*, user, notification_id: int | None = None) -> int:
    """Mark one of the user's notifications (or all of them) read."""
    qs = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if notification_id is not None:
        qs = qs.filter(pk=notification_id)
    return qs.update(read_at=timezone.now())
