"""Delivery of the outbox: e-mail of pending notifications, each row claimed
with a conditional update so that two workers never send the same one."""

import datetime as dt
import logging

from django.conf import settings
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.utils import translation

from config import clock
from config.mail import send_keyed
from config.text import one_line
from escalation.models import Notification

log = logging.getLogger(__name__)
MAX_EMAIL_ATTEMPTS = 5
LEASE_SECONDS = 120  # longer than any SMTP exchange
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


def _free(now):
    """Pending and held by no worker (never claimed, or the holder's lease ran out)."""
    return Q(email_status=Notification.Email.PENDING) & (Q(email_claimed_until__isnull=True)
                                                         | Q(email_claimed_until__lt=now))


def _deliver_batch(limit: int) -> tuple[int, bool]:
    """Each row is claimed by a conditional update that gives this worker a
    lease on it: while it holds the lease no other worker takes the row (two
    deliveries that overlapped used to send the same e-mail twice: the second
    claimed the row between the first one's claim and its "sent"). A worker
    that dies leaves the lease to run out and the row to the next run. Also
    says whether the batch was full (more may wait)."""
    sent = 0
    now = clock.now()
    lease = now + dt.timedelta(seconds=LEASE_SECONDS)
    pending = list(Notification.objects.filter(_free(now)).select_related("recipient", "complaint")
                   .order_by("created_at", "pk")[:limit])
    for note in pending:
        claimed = Notification.objects.filter(Q(pk=note.pk) & _free(now)).update(
            email_attempts=F("email_attempts") + 1, email_claimed_until=lease)
        if not claimed:
            continue
        mine = Notification.objects.filter(pk=note.pk, email_claimed_until=lease)
        try:
            _send(note)
        except Exception as exc:  # noqa: BLE001 - SMTP and friends: count, retry later
            log.warning("E-mail of notification %s failed: %s", note.pk, exc)
            if note.email_attempts + 1 >= MAX_EMAIL_ATTEMPTS:
                mine.update(email_status=Notification.Email.FAILED, email_claimed_until=None)
            else:
                mine.update(email_claimed_until=None)
            continue
        mine.update(email_status=Notification.Email.SENT, emailed_at=clock.now(), email_claimed_until=None)
        sent += 1
    return sent, len(pending) == limit


def _send(note: Notification) -> None:
    with translation.override(settings.LANGUAGE_CODE):
        context = {"note": note, "complaint": note.complaint, "user": note.recipient}
        # One line: a newline in a header (an issue tag typed with one) failed the mail on every attempt.
        subject = one_line(render_to_string("emails/notification_subject.txt", context))
        body = render_to_string("emails/notification.txt", context)
    send_keyed(key=f"notification-{note.pk}", subject=subject, body=body, to=note.recipient.email)
