"""Which clocks of a case are running, and what the sweep must watch
(docs/rules.md §4, §8). Every change of a case's deadlines ends with ``refresh``.

Each clock has a due time and, for some, a time to warn before it. The
customer-facing deadlines (the first callback, the resolution, a forwarding
body's reply) order the queues and make a case overdue; the others (the
revisit, reaching the customer, a promised call, telling the customer of an
extension, a review) only tell someone when they pass.
"""

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from complaints.models import ACTIVE_STATES, OPEN_STATES, State
from config import clock
from escalation import deadlines
from escalation.models import Alert

CALLBACK = "callback"
RESOLUTION = "resolution"
REPLY = "reply"  # the reply to a forwarding body
REVISIT = "revisit"
CONTACT = "contact"  # the customer reached by the end of the 3rd working day
PROMISE = "promise"  # a call promised to the customer for a time
NOTICE = "notice"  # an extension or a pause told to the customer
REVIEW = "review"  # a review decided by the unit above
# Each clock's name in messages and lists.
LABELS = {
    CALLBACK: _("First callback"), RESOLUTION: _("Resolution"), REPLY: _("Reply to the forwarding body"),
    REVISIT: _("Revisit"), CONTACT: _("Reaching the customer"), PROMISE: _("Promised call"),
    NOTICE: _("Telling the customer"), REVIEW: _("Review"),
}
# The deadlines whose breach flags the case and upgrades it (§4); the others only tell someone.
BREACHES = frozenset({CALLBACK, RESOLUTION})
SOON = "soon"
OVERDUE = "overdue"


@dataclass(frozen=True)
class Clock:
    deadline: str
    due: dt.datetime
    warn_at: dt.datetime | None = None  # when "due soon" is told; None: never
    overdue_counts: bool = False  # orders the queues and makes the case overdue


@dataclass(frozen=True)
class Event:
    deadline: str
    kind: str  # soon | overdue
    due: dt.datetime
    fire_at: dt.datetime

    def key(self, complaint_id: int) -> str:
        return f"complaint:{complaint_id}:{self.deadline}:{self.kind}:{self.due.isoformat()}"


def running_clocks(complaint) -> list[Clock]:
    """Every clock of the case that is still running."""
    found = []
    state = complaint.state
    if state in OPEN_STATES:
        if complaint.first_callback_at is None:
            found.append(Clock(CALLBACK, complaint.first_callback_due,
                               deadlines.due_soon_at(complaint.received_at, complaint.first_callback_due), True))
            if complaint.contact_due is not None and complaint.failed_attempts < deadlines.CONTACT_ATTEMPTS:
                found.append(Clock(CONTACT, complaint.contact_due))
        if complaint.paused_at is None:
            found.append(Clock(RESOLUTION, complaint.resolution_due,
                               deadlines.due_soon_at(complaint.clock_started_at, complaint.resolution_due), True))
        if complaint.notice_due is not None:
            found.append(Clock(NOTICE, complaint.notice_due))
    if state in ACTIVE_STATES:
        if complaint.reply_due is not None and complaint.replied_at is None:
            found.append(Clock(REPLY, complaint.reply_due,
                               deadlines.working_days_before(complaint.reply_due,
                                                             deadlines.REPLY_WARNING_WORKING_DAYS), True))
        if complaint.promise_due is not None:
            found.append(Clock(PROMISE, complaint.promise_due))
    if state == State.RESOLVED and complaint.revisit_due is not None:
        found.append(Clock(REVISIT, complaint.revisit_due))
    if complaint.review_due is not None:
        found.append(Clock(REVIEW, complaint.review_due))
    return found


def customer_deadlines(complaint) -> list[Clock]:
    """The customer-facing deadlines still running (the first callback, the
    resolution, a forwarding body's reply): what the workspace shows as time left."""
    return [c for c in running_clocks(complaint) if c.overdue_counts]


def events(complaint) -> list[Event]:
    found = []
    for c in running_clocks(complaint):
        if c.warn_at is not None:
            found.append(Event(c.deadline, SOON, c.due, c.warn_at))
        found.append(Event(c.deadline, OVERDUE, c.due, c.due))
    return found


def refresh(complaint, *, recorded: set[str] = frozenset(), now: dt.datetime | None = None) -> None:
    """Set ``next_due`` (orders queues), ``is_overdue`` and ``next_check_at``
    (when the sweep must look again: the earliest event not yet told)."""
    now = now or clock.now()
    running = running_clocks(complaint)
    counting = [c.due for c in running if c.overdue_counts]
    complaint.next_due = min(counting, default=None)
    complaint.is_overdue = any(due <= now for due in counting)
    pending = [e.fire_at for e in events(complaint) if e.key(complaint.pk) not in recorded]
    complaint.next_check_at = min(pending, default=None)


def recorded_keys_of(complaint_ids) -> dict[int, set[str]]:
    """The events already told, per case, for many cases in one query."""
    told: dict[int, set[str]] = {}
    for complaint_id, key in Alert.objects.filter(complaint_id__in=complaint_ids).values_list("complaint_id", "key"):
        told.setdefault(complaint_id, set()).add(key)
    return told


def recorded_keys(complaint) -> set[str]:
    if complaint.pk is None:
        return set()
    return set(Alert.objects.filter(complaint_id=complaint.pk).values_list("key", flat=True))
