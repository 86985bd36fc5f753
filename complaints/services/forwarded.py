"""Complaints forwarded by an outside body (监管转办/信访, docs/rules.md §8):
the reply to the body, which a forwarded case needs before it is closed."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from complaints import policies, selectors, tracking
from complaints.attachments import checked_upload
from complaints.exceptions import NotPermitted, TransitionNotAllowed
from complaints.models import Attachment, Complaint, State
from complaints.services.evidence import store_attachment
from complaints.services.history import record_history
from complaints.validators import FUTURE_TOLERANCE, require_text
from config import clock


class NotForwarded(TransitionNotAllowed):
    """409: only a forwarded complaint has a body to reply to."""


def complaint_reply_to_body(*, complaint_id: int, by: User, summary: str, at: dt.datetime | None = None,
                            upload=None) -> Complaint:
    """§8 回复监管: record the reply to the forwarding body (when, by whom, a
    summary, optionally the reply itself as an attachment). Stops the reply
    clock; a later reply (a correction) replaces the summary and keeps the first time."""
    require_text(summary=summary)
    now = clock.now()
    at = at or now
    if at > now + FUTURE_TOLERANCE:
        raise ValidationError({"at": [_("The reply cannot be dated in the future.")]})
    content_type = checked_upload(upload, Attachment.Kind.REPLY) if upload is not None else None
    with transaction.atomic():
        complaint = selectors.get_visible(user=by, complaint_id=complaint_id, lock=True)
        if not policies.is_forwarded(complaint):
            raise NotForwarded(_("This complaint was not forwarded by an outside body; there is no reply to record."))
        if complaint.state == State.ARCHIVED:
            raise TransitionNotAllowed(_("An archived complaint is read-only."))
        if not policies.can_work(complaint, by):
            raise NotPermitted(_("You may not do this on this complaint."))
        if at < complaint.received_at:
            raise ValidationError({"at": [_("The reply cannot be dated before the complaint was received.")]})
        first = complaint.replied_at is None
        if first:
            complaint.replied_at, complaint.replied_by = at, by
        complaint.reply_summary = summary.strip()
        tracking.refresh(complaint, recorded=tracking.recorded_keys(complaint))
        complaint.save(update_fields=["replied_at", "replied_by", "reply_summary", "next_due", "is_overdue",
                                      "next_check_at", "updated_at"])
        record_history(complaint, name="reply_to_body", from_state=complaint.state, by=by, comment=summary.strip(),
                       data={"at": at.isoformat(), "correction": not first})
        if upload is not None:
            store_attachment(complaint, by=by, upload=upload, kind=Attachment.Kind.REPLY, content_type=content_type)
    return complaint
