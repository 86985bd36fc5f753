"""Writes on complaints, by job: intake, workflow (every transition), ownership,
contact and history. Each public function is keyword-only and runs in one
transaction; views, API endpoints, admin actions and tasks call these and
nothing else. This module is the app's public surface for writes."""

from complaints.services.contact import contact_record
from complaints.services.history import history_entry, record_history
from complaints.services.intake import Intake, IntakeDecision, complaint_submit, decide
from complaints.services.ownership import assign_owner, complaint_take, hand_to_supervisor, reclassify, upgrade
from complaints.services.workflow import (
    TRANSITION_SERVICES,
    available_transitions,
    complaint_archive,
    complaint_extend,
    complaint_invalidate,
    complaint_pause,
    complaint_reopen,
    complaint_resolve,
    complaint_resolve_on_spot,
    complaint_resume,
    complaint_revisit,
    complaint_verify,
    recompute_resolution_due,
    register_transition,
    reopened,
    run_transition,
    transition_apply,
)

__all__ = [
    "Intake", "IntakeDecision", "TRANSITION_SERVICES", "assign_owner", "available_transitions",
    "complaint_archive", "complaint_extend", "complaint_invalidate", "complaint_pause", "complaint_reopen",
    "complaint_resolve", "complaint_resolve_on_spot", "complaint_resume", "complaint_revisit", "complaint_submit",
    "complaint_take", "complaint_verify", "contact_record", "decide", "hand_to_supervisor", "history_entry",
    "recompute_resolution_due", "reclassify", "record_history", "register_transition", "reopened",
    "run_transition", "transition_apply", "upgrade",
]
