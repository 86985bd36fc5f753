"""Delivery of the outbox: e-mail of pending notifications, each row claimed
with a conditional update so that two workers never send the same one."""

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db.models import F
from django.template.loader import render_to_string
from django.utils import translation

from config import clock
from escalation.models import Notification

log = logging.getLogger(__name__)
MAX_EMAIL_ATTEMPTS = 5
BATCH = 200


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
