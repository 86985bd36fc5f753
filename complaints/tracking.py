"""Which deadlines of a case are running, and what the sweep must watch
(docs/rules.md §4). Every change of a case's deadlines ends with ``refresh``."""

import datetime as dt
from dataclasses import dataclass

from complaints.models import OPEN_STATES
from config import clock
from escalation.deadlines import due_soon_at
from escalation.models import Alert

CALLBACK = "callback"
RESOLUTION = "resolution"
SOON = "soon"
OVERDUE = "overdue"


@dataclass(frozen=True)
class Event:
    deadline: str  # callback | resolution
    kind: str  # soon | overdue
    due: dt.datetime
    fire_at: dt.datetime

    def key(self, complaint_id: int) -> str:
        return f"complaint:{complaint_id}:{self.deadline}:{self.kind}:{self.due.isoformat()}"


def running_deadlines(complaint) -> list[tuple[str, dt.datetime, dt.datetime]]:
    """(deadline, window start, due) of each clock still running: the first
    callback until it is made; the resolution clock while open and not paused."""
    if complaint.state not in OPEN_STATES:
        return []
    running = []
    if complaint.first_callback_at is None:
        running.append((CALLBACK, complaint.received_at, complaint.first_callback_due))
    if complaint.paused_at is None:
        running.append((RESOLUTION, complaint.clock_started_at, complaint.resolution_due))
    return running


def events(complaint) -> list[Event]:
    found = []
    for deadline, start, due in running_deadlines(complaint):
        found.append(Event(deadline, SOON, due, due_soon_at(start, due)))
        found.append(Event(deadline, OVERDUE, due, due))
    return found


def refresh(complaint, *, recorded: set[str] = frozenset(), now: dt.datetime | None = None) -> None:
    """Set ``next_due`` (orders queues), ``is_overdue`` and ``next_check_at``
    (when the sweep must look again: the earliest event not yet told)."""
    now = now or clock.now()
    running = running_deadlines(complaint)
    complaint.next_due = min((due for _, _, due in running), default=None)
    complaint.is_overdue = any(due <= now for _, _, due in running)
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
