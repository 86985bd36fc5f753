"""Who is told what, by the workflow (docs/rules.md §3–4): urgent
cases up the chain, the new owner, the department concerned, a batch once per
unit, a customer not reached after three attempts. Notifications are outbox
rows written in the caller's transaction (escalation.notifications)."""

from django.utils.translation import gettext as _

from complaints.batch import local_day
from complaints.classification import BATCH_THRESHOLD, UrgentReason, urgent_reason_labels
from complaints.models import ContactAttempt, Level
from escalation import deadlines, recipients
from escalation.alerts import tell_once
from escalation.models import Notification
from escalation.notifications import notify


def intake(complaint, *, by) -> None:
    """At intake: urgent cases to the report chain (a batch is told once for the
    whole batch, by ``batch``), the owner when someone else logged the case,
    and the category's department (e.g. merchant_ops)."""
    number, summary = complaint.number, complaint.reason[:80]
    if complaint.level == Level.URGENT and complaint.urgent_reasons != [UrgentReason.BATCH]:
        reasons = "、".join(urgent_reason_labels(complaint.urgent_reasons)) or _("urgent category")
        notify(recipients=recipients.report_chain(complaint), kind=Notification.Kind.URGENT,
               complaint=complaint, title=_("Urgent complaint %(number)s (%(reasons)s)")
               % {"number": number, "reasons": reasons},
               body=_("Call the customer back within 3 hours. %(summary)s") % {"summary": summary})
    if complaint.owner_id and complaint.owner_id != by.pk:
        body = summary
        if complaint.category.freeze_account_first:
            body = _("Freeze the account first, then investigate and call back. %(summary)s") % {"summary": summary}
        notify(recipients=[complaint.owner], kind=Notification.Kind.ASSIGNED, complaint=complaint,
               title=_("New complaint for you: %(number)s") % {"number": number}, body=body)
    if complaint.category.notify_role:
        notify(recipients=recipients.department(complaint, complaint.category.notify_role),
               kind=Notification.Kind.DEPARTMENT, complaint=complaint,
               title=_("Complaint %(number)s concerns your department; please give feedback")
               % {"number": number}, body=summary)


def new_owner(complaint, *, reason: str) -> None:
    """A case moved to a new owner (upgrade, batch) is announced to them."""
    if complaint.owner is not None:
        notify(recipients=[complaint.owner], kind=Notification.Kind.ASSIGNED, complaint=complaint,
               title=_("Complaint %(number)s is now yours (%(reason)s)")
               % {"number": complaint.number, "reason": reason})


def batch(complaint, *, units=()) -> None:
    """Once per batch and unit: the report chain of every unit with a case in it."""
    for unit in {complaint.org_unit, *units}:
        key = f"batch:{local_day(complaint.received_at)}:{complaint.category_id}:{complaint.issue_tag}:{unit.code}"
        if not tell_once(key, complaint):
            continue
        notify(recipients=recipients.unit_chain(unit), kind=Notification.Kind.BATCH,
               complaint=complaint,
               title=_("Batch complaint: more than %(n)d complaints about “%(tag)s” today")
               % {"n": BATCH_THRESHOLD, "tag": complaint.issue_tag},
               body=_("All of today's complaints about this issue are now urgent."))


def if_unreachable(complaint) -> None:
    """§4: after the third failed attempt with none reached, the supervisor, once."""
    attempts = list(complaint.contacts.values_list("outcome", flat=True))
    if ContactAttempt.Outcome.REACHED in attempts or len(attempts) < deadlines.CONTACT_ATTEMPTS:
        return
    if tell_once(f"complaint:{complaint.pk}:contact_failed", complaint):
        notify(recipients=[recipients.supervisor_of(complaint)], kind=Notification.Kind.CONTACT_FAILED,
               complaint=complaint,
               title=_("%(number)s: customer not reached after %(n)d attempts")
               % {"number": complaint.number, "n": len(attempts)})


def outcome(complaint) -> None:
    """The department that gave feedback is told of the outcome (merchant_ops)."""
    if complaint.category.notify_role:
        notify(recipients=recipients.department(complaint, complaint.category.notify_role),
               kind=Notification.Kind.DEPARTMENT, complaint=complaint,
               title=_("Complaint %(number)s has been answered") % {"number": complaint.number},
               body=complaint.resolution[:200])


def review_requested(review) -> None:
    """§8: a new review goes to its reviewer (the reviewing unit's supervisor
    and cs_manager while it has none)."""
    complaint = review.complaint
    people = [review.owner] if review.owner else recipients.unit_chain(review.owner_unit)
    notify(recipients=people, kind=Notification.Kind.REVIEW, complaint=complaint,
           title=_("Review requested for %(number)s, due %(due)s")
           % {"number": complaint.number, "due": local_day(review.due)},
           body=review.reason[:200])
