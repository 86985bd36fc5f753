"""The workflow (docs/rules.md §6): every transition of a case, each in
one transaction that locks the case, checks scope and permission, changes the
state only through its django-fsm transition, keeps the deadlines the sweep
watches and writes the history entry.

``run_transition`` is the whole of that for a user acting on a case;
``transition_apply`` is its end (change, deadlines, save, history), which the
approval chain also calls when it approves or rejects. ``propose`` belongs to
the approval chain (approvals.services) and is registered here by that app."""

from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_fsm import ConcurrentTransition, can_proceed

from accounts.models import User
from complaints import labels, policies, selectors, tell, tracking
from complaints.exceptions import ConcurrentChange, NotPermitted, TransitionNotAllowed
from complaints.models import Complaint, State
from complaints.services.history import record_history
from complaints.services.ownership import hand_to_supervisor, upgrade
from complaints.validators import require_text
from config import clock
from escalation import deadlines

CONDITION_MESSAGES = {
    "resolve_on_spot": gettext_lazy("Only a minor (level I) complaint may be resolved on the spot."),
    "archive": gettext_lazy("A dissatisfied customer's case goes back to verification, not to the archive."),
    "extend": gettext_lazy("The resolution deadline is at its 60-day limit or has already passed; a breached "
                           "deadline cannot be extended."),
    "pause": gettext_lazy("The resolution clock is already paused, or its deadline has already passed."),
    "resume": gettext_lazy("The resolution clock is not paused."),
}


def condition_message(name: str) -> str:
    return str(CONDITION_MESSAGES.get(name, gettext_lazy("This complaint does not allow that now.")))


def transition_apply(complaint: Complaint, *, name: str, by: User | None, apply: Callable[[Complaint], None],
                     comment: str = "", data: dict | None = None) -> Complaint:
    """The end every transition shares, on a case locked in the caller's
    transaction: ``apply`` fires the django-fsm transition (and sets what goes
    with it), then what the sweep must watch, the save (409 when another
    transaction changed the state first) and the history entry."""
    from_state = complaint.state
    apply(complaint)
    tracking.refresh(complaint, recorded=tracking.recorded_keys(complaint))
    try:
        complaint.save()
    except ConcurrentTransition as exc:
        raise ConcurrentChange(_("Someone else changed this complaint first; reload it.")) from exc
    record_history(complaint, name=name, from_state=from_state, by=by, comment=comment, data=data)
    return complaint


def run_transition(*, complaint_id: int, by: User, name: str, apply: Callable[[Complaint], None],
                   comment: str = "", data: dict | None = None,
                   after: Callable[[Complaint], None] | None = None) -> Complaint:
    """Fire transition ``name`` on a case the user sees: 404 out of scope, 409 when
    the state or a condition does not allow it, 403 when the user may not; a
    queued case becomes the actor's (首问负责); then ``transition_apply`` and
    ``after`` (what is told), all in one transaction."""
    with transaction.atomic():
        complaint = selectors.get_visible(user=by, complaint_id=complaint_id, lock=True)
        method = getattr(complaint, name)
        if not can_proceed(method, check_conditions=False):
            raise TransitionNotAllowed(
                _("A complaint in state “%(state)s” cannot be %(action)s.")
                % {"state": complaint.get_state_display(), "action": labels.done(name)}
            )
        if not method._django_fsm.has_transition_perm(complaint, complaint.state, by):
            raise NotPermitted(_("You may not do this on this complaint."))
        if not can_proceed(method):
            raise TransitionNotAllowed(condition_message(name))
        if policies.owns_by_acting(complaint, by):
            complaint.owner = by  # 首问负责: whoever acts on a queued case owns it
        transition_apply(complaint, name=name, by=by, apply=apply, comment=comment, data=data)
        if after is not None:
            after(complaint)
    return complaint


def recompute_resolution_due(complaint: Complaint) -> None:
    """§4: the resolution deadline from its clock's start, window and time paused."""
    complaint.resolution_due = deadlines.resolution_due(
        complaint.clock_started_at, complaint.resolution_window_days, complaint.paused_seconds
    )


def complaint_verify(*, complaint_id: int, by: User, responsible_department: str = "",
                     comment: str = "") -> Complaint:
    return run_transition(complaint_id=complaint_id, by=by, name="verify", comment=comment,
                          data={"responsible_department": responsible_department} if responsible_department else None,
                          apply=lambda c: c.verify(responsible_department=responsible_department))


def complaint_invalidate(*, complaint_id: int, by: User, reason: str) -> Complaint:
    """§6: an invalid complaint is closed with a reason; the customer is still told."""
    require_text(reason=reason)
    return run_transition(complaint_id=complaint_id, by=by, name="invalidate", comment=reason,
                          apply=lambda c: c.invalidate(reason=reason))


def complaint_resolve_on_spot(*, complaint_id: int, by: User, resolution: str) -> Complaint:
    """§6 当场解决: received → resolved, no compensation; still revisited."""
    require_text(resolution=resolution)
    return run_transition(complaint_id=complaint_id, by=by, name="resolve_on_spot", comment=resolution,
                          apply=lambda c: c.resolve_on_spot(resolution=resolution), after=tell.outcome)


def complaint_resolve(*, complaint_id: int, by: User, resolution: str) -> Complaint:
    require_text(resolution=resolution)
    return run_transition(complaint_id=complaint_id, by=by, name="resolve", comment=resolution,
                          apply=lambda c: c.resolve(resolution=resolution), after=tell.outcome)


def complaint_revisit(*, complaint_id: int, by: User, reached: bool, satisfied: bool | None,
                      note: str = "") -> Complaint:
    """§6 回访: every case is revisited. A dissatisfied customer sends the case
    back to verified as III-C upgraded, in the same transaction."""
    if reached and satisfied is None:
        raise ValidationError({"satisfied": [_("Say whether the customer is satisfied.")]})
    with transaction.atomic():
        complaint = run_transition(
            complaint_id=complaint_id, by=by, name="revisit", comment=note,
            data={"reached": reached, "satisfied": satisfied if reached else None},
            apply=lambda c: c.revisit(reached=reached, satisfied=satisfied, note=note),
        )
        if reached and satisfied is False:
            complaint = complaint_reopen(complaint_id=complaint_id, by=by,
                                         reason=_("Customer dissatisfied at the revisit."))
    return complaint


def reopened(complaint: Complaint, *, reason: str) -> bool:
    """revisited → verified: the case comes back as III-C upgraded, goes to a
    supervisor (§3) and its resolution clock starts again from now. True when
    the owner changed (the caller tells the new owner). The demo generator
    replays a case's life through this too."""
    complaint.reopen()
    upgrade(complaint, reason=reason)
    moved = hand_to_supervisor(complaint)
    complaint.clock_started_at = clock.now()
    complaint.resolution_window_days = deadlines.BASE_WINDOW_DAYS
    complaint.paused_seconds, complaint.paused_at = 0, None
    recompute_resolution_due(complaint)
    return moved


def complaint_reopen(*, complaint_id: int, by: User, reason: str) -> Complaint:
    require_text(reason=reason)

    def apply(c: Complaint) -> None:
        if reopened(c, reason=reason):
            tell.new_owner(c, reason=reason)

    return run_transition(complaint_id=complaint_id, by=by, name="reopen", comment=reason, apply=apply)


def complaint_archive(*, complaint_id: int, by: User, root_cause: str, responsible_party: str = "",
                      rectification: str = "") -> Complaint:
    """§6 结案归档: root cause, responsibility and rectification; then read-only."""
    require_text(root_cause=root_cause)
    return run_transition(complaint_id=complaint_id, by=by, name="archive", comment=root_cause,
                          data={"responsible_party": responsible_party, "rectification": rectification},
                          apply=lambda c: c.archive(root_cause=root_cause, responsible_party=responsible_party,
                                                    rectification=rectification))


def complaint_extend(*, complaint_id: int, by: User, days: int, reason: str) -> Complaint:
    """§4: extend the resolution deadline by ``days``: to 30 days in all by a
    supervisor, to 60 at the most by a cs_manager of the unit above or HQ."""
    require_text(reason=reason)
    if not isinstance(days, int) or isinstance(days, bool) or days < 1:
        raise ValidationError({"days": [_("Enter a whole number of days, at least 1.")]})

    def apply(c: Complaint) -> None:
        new_window = c.resolution_window_days + days
        if new_window > policies.MAX_WINDOW_DAYS:
            raise ValidationError({"days": [
                _("The resolution deadline can be extended to 60 days at the most; "
                  "%(left)d days are left to grant.") % {"left": policies.MAX_WINDOW_DAYS - c.resolution_window_days}
            ]})
        if not policies.extension_allowed(c, by, new_window):
            raise NotPermitted(_("Beyond 30 days only a customer service manager of the unit "
                                 "above, or of head office, may extend."))
        c.extend()
        c.resolution_window_days = new_window
        recompute_resolution_due(c)

    return run_transition(complaint_id=complaint_id, by=by, name="extend", comment=reason,
                          data={"days": days}, apply=apply)


def complaint_pause(*, complaint_id: int, by: User, reason: str) -> Complaint:
    """§4: outside appraisal, testing or mediation does not count."""
    require_text(reason=reason)

    def apply(c: Complaint) -> None:
        c.pause()
        c.paused_at = clock.now()

    return run_transition(complaint_id=complaint_id, by=by, name="pause", comment=reason, apply=apply)


def complaint_resume(*, complaint_id: int, by: User, reason: str) -> Complaint:
    require_text(reason=reason)

    def apply(c: Complaint) -> None:
        c.resume()
        c.paused_seconds += int((clock.now() - c.paused_at).total_seconds())
        c.paused_at = None
        recompute_resolution_due(c)

    return run_transition(complaint_id=complaint_id, by=by, name="resume", comment=reason, apply=apply)


# The service of each transition a user fires (the API, the case page and the
# admin dispatch through this). approve and reject are fired by the approval
# chain only; propose is the approval chain's and is registered by it.
TRANSITION_SERVICES: dict[str, Callable[..., Complaint]] = {
    "verify": complaint_verify,
    "invalidate": complaint_invalidate,
    "resolve_on_spot": complaint_resolve_on_spot,
    "resolve": complaint_resolve,
    "revisit": complaint_revisit,
    "reopen": complaint_reopen,
    "archive": complaint_archive,
    "extend": complaint_extend,
    "pause": complaint_pause,
    "resume": complaint_resume,
}
CHAIN_TRANSITIONS = ("approve", "reject")


def register_transition(name: str, service: Callable[..., Complaint]) -> None:
    """An app above this one serves one of the model's transitions (approvals: propose)."""
    TRANSITION_SERVICES[name] = service


def available_transitions(complaint: Complaint, user: User) -> list[str]:
    """The transitions this user may fire now (state, permission and conditions)."""
    if complaint.state == State.ARCHIVED:
        return []
    return [t.name for t in complaint.get_available_user_state_transitions(user)]
