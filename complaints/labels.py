"""The words for each transition and each kind of history entry, in one table.

A transition has three: its button (``action``: 核实), the participle of
messages ("cannot be %(done)s": 核实), and its line on the timeline
(``history``: the button's words unless said otherwise). History entries that
are not transitions (logged, taken, breached…) have only the last. The model's
django-fsm ``custom`` labels, the admin, the case page, the API's errors and
the history filters all read this table.
"""

from typing import NamedTuple

from django.utils.translation import gettext_lazy as _


class Labels(NamedTuple):
    action: str | None
    done: str | None
    history: str


def _transition(action, done, history=None) -> Labels:
    return Labels(action, done, history or action)


TRANSITIONS: dict[str, Labels] = {
    "verify": _transition(_("Verify"), _("verified")),
    "invalidate": _transition(_("Close as invalid"), _("closed as invalid")),
    "resolve_on_spot": _transition(_("Resolve on the spot"), _("resolved on the spot")),
    "propose": _transition(_("Propose a remedy"), _("given a proposal")),
    "approve": _transition(_("Approve"), _("approved"), _("Approved")),
    "reject": _transition(_("Reject"), _("rejected"), _("Rejected")),
    "resolve": _transition(_("Resolve"), _("resolved")),
    "revisit": _transition(_("Record the revisit"), _("revisited")),
    "reopen": _transition(_("Reopen"), _("reopened")),
    "archive": _transition(_("Archive"), _("archived")),
    "extend": _transition(_("Extend the deadline"), _("extended")),
    "pause": _transition(_("Pause the clock"), _("paused")),
    "resume": _transition(_("Resume the clock"), _("resumed")),
    "change_on_review": _transition(_("Change the decision on review"), _("changed on review"),
                                    _("Decision changed on review")),
}
# History entries written by something other than a transition.
EVENTS: dict[str, Labels] = {
    "receive": Labels(None, None, _("Logged")),
    "take": Labels(None, None, _("Taken from the queue")),
    "breach": Labels(None, None, _("Deadline breached")),
    "batch": Labels(None, None, _("Became a batch complaint")),
    "grouped": Labels(None, None, _("Joined a group of near-duplicate complaints")),
    "group_confirmed": Labels(None, None, _("Group of near-duplicates confirmed")),
    "group_split": Labels(None, None, _("Split off its group of near-duplicates")),
    "approve_step": Labels(None, None, _("Approval step approved")),
    "payment": Labels(None, None, _("Paid by finance")),
    "attach": Labels(None, None, _("Evidence uploaded")),
    "reply_to_body": Labels(None, None, _("Replied to the forwarding body")),
    "review_request": Labels(None, None, _("Review requested")),
    "review_upheld": Labels(None, None, _("Review: decision upheld")),
}
ALL = {**EVENTS, **TRANSITIONS}


def action(name: str) -> str:
    """The button of a transition."""
    labels = TRANSITIONS.get(name)
    return str(labels.action) if labels else name


def done(name: str) -> str:
    """A transition in "cannot be …" messages."""
    labels = TRANSITIONS.get(name)
    return str(labels.done) if labels else name


def history(name: str) -> str:
    """A history entry on the timeline and in the admin's filter."""
    labels = ALL.get(name)
    return str(labels.history) if labels else name
