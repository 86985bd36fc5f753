"""Writes on complaints, by job: intake, workflow (every transition), ownership,
contact, evidence, the reply to a forwarding body, reviews and history. Each public function is keyword-only and runs in one
transaction; views, API endpoints, admin actions and tasks call these and
nothing else. This module is the app's public surface for writes."""

from complaints.services.contact import contact_record
from complaints.services.evidence import attachment_add
from complaints.services.forwarded import NotForwarded, complaint_reply_to_body
from complaints.services.grouping import group_confirm, group_split
from complaints.services.history import history_entry, record_history
from complaints.services.intake import Intake, IntakeDecision, complaint_submit, decide
from complaints.services.ownership import assign_owner, complaint_take, hand_to_supervisor, reclassify, upgrade
from complaints.services.reviews import DECIDED_STATES, ReviewRefused, review_decide, review_request
from complaints.services.workflow import (
    FIRED_BY_SERVICES,
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
    resolution_deadline,
    run_transition,
    transition_apply,
)

__all__ = [
    "DECIDED_STATES", "FIRED_BY_SERVICES", "Intake", "IntakeDecision", "NotForwarded", "ReviewRefused", "TRANSITION_SERVICES",
    "assign_owner", "attachment_add", "available_transitions", "complaint_reply_to_body",
    "complaint_archive", "complaint_extend", "complaint_invalidate", "complaint_pause", "complaint_reopen",
    "complaint_resolve", "complaint_resolve_on_spot", "complaint_resume", "complaint_revisit", "complaint_submit",
    "complaint_take", "complaint_verify", "contact_record", "decide", "group_confirm", "group_split", "hand_to_supervisor", "history_entry",
    "recompute_resolution_due", "reclassify", "record_history", "register_transition", "reopened",
    "resolution_deadline", "review_decide", "review_request", "run_transition", "transition_apply", "upgrade",
]
