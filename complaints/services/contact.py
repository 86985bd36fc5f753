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

MAX_PROMISE_AHEAD = dt.timedelta(days=30)


def contact_record(*, complaint_id: int, by: User, outcome: str, at: dt.datetime | None = None,
                   note: str = "", promised_callback_at: dt.datetime | None = None) -> ContactAttempt:
    """§4 contact: record one attempt to reach the customer. The first reached
    one stops the first-callback clock; its time is kept for statistics.

    §8: an attempt that did not reach the customer counts towards the contact
    window (3 attempts by the 3rd working day); an attempt may carry the time
    promised to the customer for the next call (下次回电时间), which the sweep
    watches until the next attempt is made."""
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
        if promised_callback_at is not None and promised_callback_at <= max(at, now):
            raise ValidationError({"promised_callback_at": [
                _("The next call must be promised for a time still to come.")]})
        if promised_callback_at is not None and promised_callback_at > now + MAX_PROMISE_AHEAD:
            raise ValidationError({"promised_callback_at": [
                _("A call can be promised at most %(days)d days ahead.") % {"days": MAX_PROMISE_AHEAD.days}]})
        attempt = ContactAttempt.objects.create(complaint=complaint, at=at, outcome=outcome, note=note, by=by,
                                                promised_callback_at=promised_callback_at)
        changed = ["promise_due"]
        # Any attempt answers the call promised before it; a new promise starts a new one.
        if promised_callback_at is not None or (complaint.promise_due is not None and at >= _promised_on(complaint)):
            complaint.promise_due = promised_callback_at
        if policies.owns_by_acting(complaint, by):
            complaint.owner = by  # 首问负责: whoever calls a queued case's customer owns it
            changed.append("owner")
        if outcome == ContactAttempt.Outcome.REACHED:
            if complaint.first_callback_at is None or at < complaint.first_callback_at:
                # The earliest reached attempt is the first callback, even if recorded late.
                complaint.first_callback_at = at
                changed.append("first_callback_at")
        else:
            complaint.failed_attempts += 1
            changed.append("failed_attempts")
        tracking.refresh(complaint, recorded=tracking.recorded_keys(complaint))
        changed += ["next_due", "is_overdue", "next_check_at"]
        Complaint.objects.filter(pk=complaint.pk).update(**{f: getattr(complaint, f) for f in changed}, updated_at=now)
        if outcome != ContactAttempt.Outcome.REACHED:
            tell.if_unreachable(complaint)
    return attempt


def _promised_on(complaint: Complaint) -> dt.datetime:
    """When the running promise was made (the attempt that carried it)."""
    made = (ContactAttempt.objects.filter(complaint=complaint, promised_callback_at=complaint.promise_due)
            .order_by("-at").values_list("at", flat=True).first())
    return made or complaint.received_at
