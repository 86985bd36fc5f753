"""Review (核查, docs/rules.md §8, CBIRC art. 20): within 30 calendar days of
the decision notice the customer may ask the unit above to look at the
decision again; it is due 30 calendar days after the request and either
upholds the decision or changes it. A changed decision sends the case, even
an archived one, back to verified as III-C upgraded with a new resolution
clock. The outcome is told to the customer. One review per decision."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from complaints import notices, policies, selectors, tell, tracking
from complaints.exceptions import NotPermitted, NotVisible, TransitionNotAllowed
from complaints.models import Complaint, Notice, NoticeChannel, NoticeKind, Review, State
from complaints.services.history import record_history
from complaints.services.workflow import reopened, transition_apply
from complaints.validators import FUTURE_TOLERANCE, require_text
from config import clock
from escalation import deadlines

# A decision may be reviewed while it stands: told, and the case not sent back since.
DECIDED_STATES = (State.RESOLVED, State.REVISITED, State.ARCHIVED)


class ReviewRefused(TransitionNotAllowed):
    """409: past the 30 days, a second review of one decision, or no decision to review."""


def request_deadline(told_at: dt.datetime) -> dt.datetime:
    """§8: a review is asked for by the end of the 30th calendar day after the decision notice."""
    return deadlines.end_of_calendar_day_after(told_at, deadlines.REVIEW_WINDOW_DAYS)


def review_due(requested_at: dt.datetime) -> dt.datetime:
    """§8: a review is decided by the end of the 30th calendar day after the request."""
    return deadlines.end_of_calendar_day_after(requested_at, deadlines.REVIEW_WINDOW_DAYS)


def decision_notice(complaint: Complaint) -> Notice | None:
    """The notice of the decision that stands (the latest one told)."""
    return complaint.notices.filter(kind=NoticeKind.DECISION).order_by("-at", "-pk").first()


def reviewer_for(complaint: Complaint, unit) -> User | None:
    """Who a new review goes to: a supervisor or cs_manager of the reviewing
    unit who did not handle the case, the one with the fewest open reviews
    (ties to the earliest account). None when the unit has nobody eligible:
    the review still waits in the unit's 核查 queue."""
    candidates = (User.objects.filter(is_active=True, org_unit=unit, groups__name__in=policies.REVIEWING)
                  .exclude(pk__in=policies.handlers_of(complaint)).distinct()
                  .annotate(load=Count("reviews_owned", filter=Q(reviews_owned__state=Review.State.OPEN)))
                  .order_by("load", "pk"))
    if complaint.org_unit.parent_id is not None:
        candidates = candidates.exclude(org_unit=complaint.org_unit)
    return candidates.first()


def review_request(*, complaint_id: int, by: User, reason: str, requested_at: dt.datetime | None = None) -> Review:
    """Record the customer's request for a review of the decision told."""
    require_text(reason=reason)
    now = clock.now()
    requested_at = requested_at or now
    if requested_at > now + FUTURE_TOLERANCE:
        raise ValidationError({"requested_at": [_("The request cannot be dated in the future.")]})
    with transaction.atomic():
        complaint = selectors.get_visible(user=by, complaint_id=complaint_id, lock=True)
        if not policies.may_request_review(complaint, by):
            raise NotPermitted(_("You may not record a review request on this complaint."))
        told = decision_notice(complaint) if complaint.state in DECIDED_STATES else None
        if told is None:
            raise ReviewRefused(_("No decision has been told to the customer yet; there is nothing to review."))
        if requested_at < told.at:
            raise ValidationError({"requested_at": [_("The request cannot be dated before the decision was told.")]})
        if Review.objects.filter(decision_notice=told).exists():
            raise ReviewRefused(_("This decision has already been reviewed once; one review per decision."))
        limit = request_deadline(told.at)
        if requested_at > limit:
            raise ReviewRefused(
                _("The decision was told on %(told)s; a review must be asked for within 30 days, by %(limit)s. "
                  "This request comes too late.")
                % {"told": timezone.localtime(told.at).strftime("%Y-%m-%d"),
                   "limit": timezone.localtime(limit).strftime("%Y-%m-%d")})
        unit = policies.review_unit(complaint)
        review = Review.objects.create(
            complaint=complaint, decision_notice=told, reason=reason.strip(), requested_at=requested_at,
            requested_by=by, due=review_due(requested_at), owner_unit=unit, owner=reviewer_for(complaint, unit))
        complaint.review_due = review.due
        tracking.refresh(complaint, recorded=tracking.recorded_keys(complaint))
        Complaint.objects.filter(pk=complaint.pk).update(review_due=complaint.review_due,
                                                         next_check_at=complaint.next_check_at, updated_at=now)
        record_history(complaint, name="review_request", from_state=complaint.state, by=by, comment=reason.strip(),
                       data={"review": review.pk, "due": review.due.isoformat(), "unit": unit.code,
                             "owner": review.owner.username if review.owner else None})
        tell.review_requested(review)
    return review


def _outcome_channel(complaint: Complaint, spec: dict | None) -> dict:
    """How the outcome is told: as given, else by SMS to a mobile number, else by letter."""
    if spec is not None:
        return spec
    channel = NoticeChannel.SMS if notices.is_mobile(complaint.complainant_phone) else NoticeChannel.LETTER
    return {"channel": channel, "content": "", "to": ""}


def review_decide(*, review_id: int, by: User, outcome: str, reason: str, notice: dict | None = None) -> Review:
    """Uphold or change the decision; the outcome is told to the customer."""
    require_text(reason=reason)
    if outcome not in Review.Outcome.values:
        raise ValidationError({"outcome": [_("Say whether the decision is upheld or changed.")]})
    spec = notices.clean_spec(notice)
    with transaction.atomic():
        review = (Review.objects.select_for_update(of=("self",)).select_related("owner_unit")
                  .filter(pk=review_id, complaint__in=Complaint.objects.visible_to(by)).first())
        if review is None:
            raise NotVisible(_("No such review."))
        complaint = selectors.get_visible(user=by, complaint_id=review.complaint_id, lock=True)
        if review.state != Review.State.OPEN:
            raise TransitionNotAllowed(_("This review has already been decided."))
        if not policies.may_review(complaint, review.owner_unit, by):
            raise NotPermitted(_("A review is decided by a supervisor or customer service manager of the unit "
                                 "above who did not handle the case."))
        now = clock.now()
        review.state, review.outcome = Review.State.DECIDED, outcome
        review.decided_by, review.decided_at, review.decision_reason = by, now, reason.strip()
        review.save(update_fields=["state", "outcome", "decided_by", "decided_at", "decision_reason"])
        complaint.review_due = None
        if outcome == Review.Outcome.CHANGED:
            moved = []

            def apply(c: Complaint) -> None:
                moved.append(reopened(c, reason=_("Decision changed on review"), transition="change_on_review"))

            transition_apply(complaint, name="change_on_review", by=by, apply=apply, comment=reason.strip(),
                             data={"review": review.pk})
            if moved[0]:
                tell.new_owner(complaint, reason=_("Decision changed on review"))
        else:
            tracking.refresh(complaint, recorded=tracking.recorded_keys(complaint))
            Complaint.objects.filter(pk=complaint.pk).update(review_due=None, next_check_at=complaint.next_check_at,
                                                             updated_at=now)
            record_history(complaint, name="review_upheld", from_state=complaint.state, by=by,
                           comment=reason.strip(), data={"review": review.pk})
        notices.record(complaint, kind=NoticeKind.REVIEW_OUTCOME, by=by, **_outcome_channel(complaint, spec),
                       outcome=review.get_outcome_display(), reason=reason.strip())
    return review
