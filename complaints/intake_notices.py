"""Who is told what when a complaint arrives or cannot be reached (DOMAIN.md
§3, §4, seed 003). Notifications are outbox rows written in the caller's
transaction."""

from django.utils.translation import gettext as _

from complaints.batch import local_day
from complaints.classification import URGENT_REASON_LABELS
from escalation import recipients
from escalation.models import Notification
from escalation.notifications import notify
from escalation.sweep import record_alert

FAILED_ATTEMPTS_TO_REPORT = 3  # §4: after the third failed attempt the supervisor is told


def tell(complaint, *, by) -> None:
    number, summary = complaint.number, complaint.reason[:80]
    # A batch is reported once for the whole batch (tell_batch), not per complaint.
    if complaint.level == "urgent" and complaint.urgent_reasons != ["batch"]:
        reasons = "、".join(str(URGENT_REASON_LABELS.get(r, r)) for r in complaint.urgent_reasons) or _("urgent category")
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


def tell_new_owner(complaint, *, reason: str) -> None:
    """A case moved to a new owner (upgrade, batch) is announced to them."""
    if complaint.owner is not None:
        notify(recipients=[complaint.owner], kind=Notification.Kind.ASSIGNED, complaint=complaint,
               title=_("Complaint %(number)s is now yours (%(reason)s)")
               % {"number": complaint.number, "reason": reason})


def tell_batch(complaint, *, units=()) -> None:
    """Once per batch and unit: the report chain of every unit with a case in it."""
    for unit in {complaint.org_unit, *units}:
        key = f"batch:{local_day(complaint.received_at)}:{complaint.category_id}:{complaint.issue_tag}:{unit.code}"
        if not record_alert(key, complaint):
            continue
        notify(recipients=recipients.unit_chain(unit), kind=Notification.Kind.BATCH,
               complaint=complaint,
               title=_("Batch complaint: more than 10 complaints about “%(tag)s” today")
               % {"tag": complaint.issue_tag},
               body=_("All of today's complaints about this issue are now urgent."))


def tell_if_unreachable(complaint) -> None:
    attempts = list(complaint.contacts.values_list("outcome", flat=True))
    if "reached" in attempts or len(attempts) < FAILED_ATTEMPTS_TO_REPORT:
        return
    if record_alert(f"complaint:{complaint.pk}:contact_failed", complaint):
        notify(recipients=[recipients.supervisor_of(complaint)], kind=Notification.Kind.CONTACT_FAILED,
               complaint=complaint,
               title=_("%(number)s: customer not reached after %(n)d attempts")
               % {"number": complaint.number, "n": len(attempts)})


def tell_outcome(complaint) -> None:
    """The department that gave feedback is told of the outcome (merchant_ops)."""
    if complaint.category.notify_role:
        notify(recipients=recipients.department(complaint, complaint.category.notify_role),
               kind=Notification.Kind.DEPARTMENT, complaint=complaint,
               title=_("Complaint %(number)s has been answered") % {"number": complaint.number},
               body=complaint.resolution[:200])


