"""The history of a case (docs/rules.md §6):
who, when, from, to and a comment, append-only."""

import datetime as dt

from accounts.models import User
from complaints.models import Complaint, HistoryEntry
from config import clock
from escalation import notifications


def record_history(complaint: Complaint, *, name: str, from_state: str, by: User | None, comment: str = "",
                   data: dict | None = None, at: dt.datetime | None = None) -> HistoryEntry:
    """Append one history entry. When the state changed it also keeps the time
    spent in the state left, for the average time in each state. A step that
    moves the case or finishes a task marks the actor's notifications about the
    case done. Call after the case is saved, in the same transaction."""
    entry = history_entry(complaint, name=name, from_state=from_state, by=by, comment=comment, data=data, at=at)
    if from_state != complaint.state:
        Complaint.objects.filter(pk=complaint.pk).update(state_entered_at=complaint.state_entered_at)
    entry.save()
    if by is not None and (from_state != complaint.state or name in TASKS_WITHOUT_STATE_CHANGE):
        notifications.done(user=by, complaint=complaint)
    return entry


# Steps that finish someone's task without moving the case (a step of an approval chain, the payment,
# the reply to a forwarding body, a review upheld). Taking a case or adding evidence finishes nothing.
TASKS_WITHOUT_STATE_CHANGE = frozenset({"approve_step", "payment", "reply_to_body", "review_upheld"})


def history_entry(complaint: Complaint, *, name: str, from_state: str, by: User | None, comment: str = "",
                  data: dict | None = None, at: dt.datetime | None = None) -> HistoryEntry:
    """The entry ``record_history`` writes, not yet saved (the sweep writes a
    batch of them at once); moves ``state_entered_at`` on the case in memory."""
    now = at or clock.now()
    seconds = None
    if from_state != complaint.state:
        if complaint.state_entered_at is not None:
            seconds = max(int((now - complaint.state_entered_at).total_seconds()), 0)
        complaint.state_entered_at = now
    return HistoryEntry(at=now, complaint=complaint, transition=name, from_state=from_state,
                        to_state=complaint.state, by=by, comment=comment, data=data or {},
                        seconds_in_from_state=seconds)
