"""Notifications: rows written in the transaction of the change that causes
them (an outbox), shown in the app at once and e-mailed by the worker after
commit. A broker outage delays e-mail; it never loses a notification nor
fails the change (each sweep hands what is still pending to the worker again,
or sends it itself while the broker is down)."""

import logging
from collections.abc import Iterable

from django.db import transaction

from config import clock
from escalation.delivery import deliver_pending
from escalation.models import Notification
from escalation.tasks import deliver_notifications

log = logging.getLogger(__name__)


def notify(*, recipients: Iterable, kind: str, title: str, body: str = "", complaint=None,
           link: str = "") -> list[Notification]:
    """Tell each recipient once (duplicates and inactive users dropped)."""
    rows = notification_rows(recipients=recipients, kind=kind, title=title, body=body, complaint=complaint,
                             link=link)
    if not rows:
        return []
    created = Notification.objects.bulk_create(rows)
    if any(r.email_status == Notification.Email.PENDING for r in rows):
        transaction.on_commit(kick_delivery)
    return created


def notification_rows(*, recipients: Iterable, kind: str, title: str, body: str = "",
                      complaint=None, link: str = "") -> list[Notification]:
    """The rows ``notify`` writes, not yet saved (the sweep writes a batch at once)."""
    seen, rows = set(), []
    for user in recipients:
        if user is None or not user.is_active or user.pk in seen:
            continue
        seen.add(user.pk)
        rows.append(Notification(
            recipient=user, complaint=complaint, kind=kind, title=str(title)[:200], body=str(body), link=link,
            email_status=Notification.Email.PENDING if user.email else Notification.Email.SKIPPED,
        ))
    return rows


def kick_delivery() -> bool:
    """Ask the worker to send e-mail now. False when the broker is down: the
    rows stay pending and the next sweep hands them over (or sends them)."""
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


def done(*, user, complaint) -> int:
    """The user acted on the case (a step, an approval, a payment): what they
    were told about it is dealt with, and leaves their unread count (issue 18:
    a supervisor sat at 43 unread)."""
    return Notification.objects.filter(recipient=user, complaint=complaint, read_at__isnull=True).update(
        read_at=clock.now())


def mark_read(*, user, notification_id: int | None = None) -> int:
    """Mark one of the user's notifications (or all of them) read."""
    qs = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if notification_id is not None:
        qs = qs.filter(pk=notification_id)
    return qs.update(read_at=clock.now())
