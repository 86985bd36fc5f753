"""Notifications: rows written in the transaction of the change that causes
them (an outbox), shown in the app at once and e-mailed by the worker after
commit. A broker outage delays e-mail; it never loses a notification nor
fails the change (each sweep hands what is still pending to the worker again,
or sends it itself while the broker is down)."""

import logging
from collections.abc import Iterable

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.utils import translation

from config import clock
from escalation.models import Notification

log = logging.getLogger(__name__)
MAX_EMAIL_ATTEMPTS = 5
BATCH = 200


def notify(*, recipients: Iterable, kind: str, title: str, body: str = "", complaint=None) -> list[Notification]:
    """Tell each recipient once (duplicates and inactive users dropped)."""
    rows = notification_rows(recipients=recipients, kind=kind, title=title, body=body, complaint=complaint)
    if not rows:
        return []
    created = Notification.objects.bulk_create(rows)
    if any(r.email_status == Notification.Email.PENDING for r in rows):
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


def kick_delivery() -> bool:
    """Ask the worker to send e-mail now. False when the broker is down: the
    rows stay pending and the next sweep hands them over (or sends them)."""
    from escalation.tasks import deliver_notifications

    try:
        deliver_notifications.apply_async(retry=False)
    except Exception as exc:  # noqa: BLE001 - any broker failure: log, the sweep retries
        log.warning("Could not queue notification delivery (%s); the sweep will deliver it.", exc)
        return False
    return True


def hand_over_pending() -> int:
    """The sweep's last step: e-mail still pending goes to the delivery task,
    so the sweep does not wait on SMTP. Only when the broker cannot take the
    task (the sweep was started by hand during an outage) does it send a
    batch itself. Returns the number sent here."""
    if not Notification.objects.filter(email_status=Notification.Email.PENDING).exists():
        return 0
    return 0 if kick_delivery() else deliver_pending()


def deliver_all_pending(*, max_batches: int = 50) -> int:
    """The delivery task: batch after batch while batches are full and every
    e-mail of them went out. A failure ends the run: the rows keep their
    attempt count and are tried again at the next hand-over, a minute later,
    not five times in a row."""
    sent = 0
    for _ in range(max_batches):
        batch_sent, full = _deliver_batch(BATCH)
        sent += batch_sent
        if not full or batch_sent < BATCH:
            break
    return sent


def deliver_pending(*, limit: int = BATCH) -> int:
    """E-mail up to ``limit`` pending notifications; the number sent."""
    return _deliver_batch(limit)[0]


def _deliver_batch(limit: int) -> tuple[int, bool]:
    """Each row is claimed with a conditional update, so two workers never
    send the same one; a worker that dies after claiming leaves it pending for
    the next run. Also says whether the batch was full (more may wait)."""
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
                                                       emailed_at=clock.now())
        sent += 1
    return sent, len(pending) == limit


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
    return qs.update(read_at=clock.now())
