"""§3 rule 4, the batch rule applied: when the day's count of an issue passes
10, every complaint of that issue that day becomes urgent. Called by the intake
(a shared issue tag) and by the near-duplicate check (complaints/services/grouping.py)."""

from django.utils.translation import gettext as _

from complaints import batch, tell, tracking
from complaints.classification import BATCH_THRESHOLD, classify, facts_of
from complaints.models import ACTIVE_STATES, OPEN_STATES, Complaint
from complaints.services.history import record_history
from complaints.services.ownership import hand_to_supervisor, reclassify
from config import clock
from escalation import deadlines


def batch_detected(complaint: Complaint, *, itself: bool = False) -> None:
    """§3 rule 4: the day's earlier complaints about the same issue become urgent
    too (their deadlines recomputed); the supervisor and cs_manager are told once.
    With ``itself``, ``complaint`` becomes urgent the same way (a near-duplicate
    found after its intake, complaints/services/grouping.py)."""
    start, end = batch.day_bounds(batch.local_day(complaint.received_at))
    now = clock.now()
    units = {complaint.org_unit}
    earlier = (Complaint.objects.select_for_update(of=("self",)).select_related("category", "owner", "org_unit")
               .filter(category=complaint.category, issue_tag=complaint.issue_tag, is_batch=False,
                       received_at__gte=start, received_at__lt=end))
    if not itself:
        earlier = earlier.exclude(pk=complaint.pk)
    for case in earlier:
        case.is_batch = True
        reclassify(case, is_batch=True)
        case.callback_rule = case_rule = classify(facts_of(case)).callback_rule
        if case.first_callback_at is None and case.state in OPEN_STATES:
            # The 3-hour clock of a case that becomes urgent later runs from the
            # moment it became urgent, and never moves a deadline later.
            due = deadlines.first_callback_due(max(case.received_at, now), case_rule).at
            case.first_callback_due = min(case.first_callback_due, due)
        if case.state in ACTIVE_STATES and hand_to_supervisor(case):
            tell.new_owner(case, reason=_("Batch complaint"))
        units.add(case.org_unit)
        tracking.refresh(case, recorded=tracking.recorded_keys(case))
        case.save()
        record_history(
            case, at=now, name="batch", from_state=case.state,
            by=None, comment=_("Batch complaint: more than %(n)d complaints about “%(tag)s” today.")
            % {"n": BATCH_THRESHOLD, "tag": case.issue_tag},
            data={"trigger": complaint.number},
        )
    tell.batch(complaint, units=units)
