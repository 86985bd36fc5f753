"""Delivery of the notices sent by SMS or e-mail (docs/rules.md §8): the outbox.

Each due notice is claimed for one worker by a conditional update that moves
it to "sending" with a lease (NOTICE_LEASE_SECONDS), so two workers never send
the same one; a worker that dies mid-send lets the lease run out and the notice
is taken up again (the gateway receives the same ``message_id`` and can drop
the repeat). A gateway that is down delays a notice with backoff, up to
NOTICE_MAX_ATTEMPTS attempts, and never loses it."""

import datetime as dt
import logging

from django.conf import settings
from django.db.models import F, Q
from django.utils.translation import gettext as _

from complaints.models import Notice, NoticeChannel
from config import clock
from config.mail import send_keyed
from config.text import one_line
from escalation.gateways import GatewayError, sms_gateway

log = logging.getLogger(__name__)


def _due(now: dt.datetime) -> Q:
    """Queued and due, or claimed by a worker whose lease has run out (it died)."""
    return (Q(status=Notice.Status.QUEUED, next_attempt_at__lte=now)
            | Q(status=Notice.Status.SENDING, claimed_until__lt=now))


def _claim(now: dt.datetime, limit: int) -> list[Notice]:
    """Take up to ``limit`` due notices for this worker: each one is moved to
    "sending" with a lease by a conditional update, so no other worker takes it
    while this one holds it."""
    candidates = list(Notice.objects.filter(_due(now)).select_related("complaint").order_by("next_attempt_at", "pk")
                      [:limit])
    lease = now + dt.timedelta(seconds=settings.NOTICE_LEASE_SECONDS)
    mine = []
    for notice in candidates:
        taken = Notice.objects.filter(Q(pk=notice.pk) & _due(now)).update(
            status=Notice.Status.SENDING, claimed_until=lease, attempts=F("attempts") + 1)
        if taken:
            notice.attempts += 1
            mine.append(notice)
    return mine


def _send(notice: Notice) -> None:
    message_id = f"notice-{notice.pk}"
    if notice.channel == NoticeChannel.SMS:
        sms_gateway().send(to=notice.to, text=f"【{settings.NOTICE_SIGNATURE}】{notice.content}",
                           message_id=message_id)
        return
    # One line: a newline in a header would make the mail fail on every attempt.
    subject = one_line(_("Your complaint %(number)s: %(kind)s")
                       % {"number": notice.complaint.number, "kind": notice.get_kind_display()})
    try:
        send_keyed(key=message_id, subject=subject, body=notice.content, to=notice.to)
    except Exception as exc:  # noqa: BLE001 - SMTP and friends: the outbox tries again
        raise GatewayError(str(exc)) from exc


def _backoff(attempts: int) -> dt.timedelta:
    """1, 2, 4 … minutes between attempts, at most an hour."""
    return dt.timedelta(minutes=min(2 ** (attempts - 1), 60))


def deliver_due(*, limit: int = 100) -> int:
    """Send what is due; the number sent. Called by the delivery task."""
    now = clock.now()
    sent = 0
    for notice in _claim(now, limit):
        held = Notice.objects.filter(pk=notice.pk, status=Notice.Status.SENDING, attempts=notice.attempts)
        try:
            _send(notice)
        except GatewayError as exc:
            log.warning("Notice %s not sent (attempt %s): %s", notice.pk, notice.attempts, exc)
            if notice.attempts >= settings.NOTICE_MAX_ATTEMPTS:
                held.update(status=Notice.Status.FAILED, error=str(exc)[:300], claimed_until=None)
            else:
                held.update(status=Notice.Status.QUEUED, error=str(exc)[:300], claimed_until=None,
                            next_attempt_at=clock.now() + _backoff(notice.attempts))
            continue
        held.update(status=Notice.Status.SENT, sent_at=clock.now(), claimed_until=None, error="")
        sent += 1
    return sent


def pending_count() -> int:
    return Notice.objects.filter(status__in=[Notice.Status.QUEUED, Notice.Status.SENDING]).count()
