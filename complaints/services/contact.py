"""Contact attempts (docs/rules.md §4): each attempt to reach the
customer; the first reached one is the first callback."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from complaints import policies, selectors, tell, tracking
from complaints.exceptions import NotPermitted, TransitionNotAllowed
from complaints.models import Complaint, ContactAttempt, State
from complaints.validators import FUTURE_TOLERANCE
from config import clock


def contact_record(*, complaint_id: int, by: User, outcome: str, at: dt.datetime | None = None,
                   note: str = "") -> ContactAttempt:
    """§4 contact: record one attempt to reach the customer. The first reached
    one stops the first-callback clock; its time is kept for statistics."""
    now = clock.now()
    at = at or now
    with transaction.atomic():
        complaint = selectors.get_visible(user=by, complaint_id=complaint_id, lock=True)
        if complaint.state == State.ARCHIVED:
            raise TransitionNotAllowed(_("An archived complaint is read-only."))
        if not policies.can_work(complaint, by):
            raise NotPermitted(_("You may not do this on this complaint."))
        if outcome not in ContactAttempt.Outcome.values:
            raise ValidationError({"outcome": [_("Unknown outcome.")]})
        if at > now + FUTURE_TOLERANCE:
            raise ValidationError({"at": [_("The time of the attempt cannot be in the future.")]})
        if at < complaint.received_at:
            raise ValidationError({"at": [_("The attempt cannot be before the complaint was received.")]})
        attempt = ContactAttempt.objects.create(complaint=complaint, at=at, outcome=outcome,
                                                note=note, by=by)
        changed = []
        if policies.owns_by_acting(complaint, by):
            complaint.owner = by  # 首问负责: whoever calls a queued case's customer owns it
            changed.append("owner")
        if outcome == ContactAttempt.Outcome.REACHED and (
                complaint.first_callback_at is None or at < complaint.first_callback_at):
            # The earliest reached attempt is the first callback, even if recorded late.
            complaint.first_callback_at = at
            tracking.refresh(complaint, recorded=tracking.recorded_keys(complaint))
            changed += ["first_callback_at", "next_due", "is_overdue", "next_check_at"]
        if changed:
            Complaint.objects.filter(pk=complaint.pk).update(
                **{f: getattr(complaint, f) for f in changed}, updated_at=now)
        if outcome != ContactAttempt.Outcome.REACHED:
            tell.if_unreachable(complaint)
    return attempt
