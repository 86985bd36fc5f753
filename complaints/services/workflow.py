"""The workflow (docs/rules.md §6): every transition of a case, each in
one transaction that locks the case, checks scope and permission, changes the
state only through its django-fsm transition, keeps the deadlines the sweep
watches and writes the history entry.

``run_transition`` is the whole of that for a user acting on a case;
``transition_apply`` is its end (change, deadlines, save, history), which the
approval chain also calls when it approves or rejects. ``propose`` belongs to
the approval chain (approvals.services) and is registered here by that app."""

import datetime as dt
from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_fsm import ConcurrentTransition, can_proceed

from accounts.models import User
from complaints import labels, notices, policies, selectors, signals, tell, tracking
from complaints.exceptions import ConcurrentChange, NotPermitted, TransitionNotAllowed
from complaints.models import Complaint, State
from complaints.services.history import record_history
from complaints.services.ownership import hand_to_supervisor, upgrade
from complaints.validators import require_text
from config import clock
from escalation import deadlines

# Why a transition's condition (complaints/policies.py) refuses, by condition.
CONDITION_MESSAGES = {
    "is_minor": gettext_lazy("Only a minor (level I) complaint may be resolved on the spot."),
    "revisit_allows_archive": gettext_lazy(
        "A dissatisfied customer's case goes back to verification, not to the archive."),
    "replied_if_forwarded": gettext_lazy(
        "This complaint was forwarded by an outside body: record the reply to the body before closing it."),
    "can_still_extend": gettext_lazy("The resolution deadline is at its 60-day limit or has already passed; a "
                                     "breached deadline cannot be extended."),
    "is_running": gettext_lazy("The resolution clock is already paused, or its deadline has already passed."),
    "is_paused": gettext_lazy("The resolution clock is not paused."),
    "is_paid_if_needed": gettext_lazy("Finance has not recorded the payment of the approved amount yet."),
}


def condition_message(complaint: Complaint, name: str) -> str:
    """The reason of the first condition of transition ``name`` that refuses."""
    transition = getattr(complaint, name)._django_fsm.get_transition(complaint.state)
    for condition in getattr(transition, "conditions", ()):
        if not condition(complaint):
            return str(CONDITION_MESSAGES.get(condition.__name__,
                                              gettext_lazy("This complaint does not allow that now.")))
    return str(gettext_lazy("This complaint does not allow that now."))


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
            raise TransitionNotAllowed(condition_message(complaint, name))
        if policies.owns_by_acting(complaint, by):
            complaint.owner = by  # 首问负责: whoever acts on a queued case owns it
        transition_apply(complaint, name=name, by=by, apply=apply, comment=comment, data=data)
        if after is not None:
            after(complaint)
    return complaint


def resolution_deadline(due: dt.datetime, reply_due: dt.datetime | None) -> dt.datetime:
    """§4 and §8: the resolution deadline is the earlier of the window's end and
    the reply deadline a forwarding body set."""
    return due if reply_due is None else min(due, reply_due)


def recompute_resolution_due(complaint: Complaint) -> None:
    """§4: the resolution deadline from its clock's start, window and time paused
    (never later than a forwarding body's deadline)."""
    complaint.resolution_due = resolution_deadline(deadlines.resolution_due(
        complaint.clock_started_at, complaint.resolution_window_days, complaint.paused_seconds
    ), complaint.reply_due)


def _revisit_clock(complaint: Complaint) -> None:
    """§8: a resolved case is revisited by 18:00 of the 3rd working day after."""
    complaint.revisit_due = deadlines.close_of_working_day_after(clock.now(), deadlines.REVISIT_WORKING_DAYS).at


def _told(name: str, spec: dict | None, by: User, **extra):
    """After a step: record the notice given with it, if any."""
    def after(c: Complaint) -> None:
        if spec is not None:
            notices.record(c, kind=notices.FOR_TRANSITION[name], by=by, **spec, **extra)
    return after


def complaint_verify(*, complaint_id: int, by: User, responsible_department: str = "", cause: str = "",
                     comment: str = "") -> Complaint:
    """§3: verifying sets the cause (投诉原因) when intake left it open; the model
    refuses a case that would still have none."""
    found = None
    if cause:
        found = selectors.active_cause(cause)
        if found is None:
            raise ValidationError({"cause": [_("Unknown complaint cause “%(code)s”.") % {"code": cause}]})
    data = {key: value for key, value in (("responsible_department", responsible_department),
                                          ("cause", cause)) if value}
    return run_transition(complaint_id=complaint_id, by=by, name="verify", comment=comment, data=data or None,
                          apply=lambda c: c.verify(responsible_department=responsible_department, cause=found))


def complaint_invalidate(*, complaint_id: int, by: User, reason: str, notice: dict | None = None) -> Complaint:
    """§6: an invalid complaint is closed with a reason; the customer is still
    told (§8: with this step or before it)."""
    require_text(reason=reason)
    spec = notices.clean_spec(notice)

    def apply(c: Complaint) -> None:
        notices.require_told(c, "invalidate", spec)
        c.invalidate(reason=reason)
        c.notice_due, c.notice_due_kind, c.promise_due = None, "", None

    return run_transition(complaint_id=complaint_id, by=by, name="invalidate", comment=reason, apply=apply,
                          after=_told("invalidate", spec, by, reason=reason))


def _resolving(name: str, resolution: str, spec: dict | None, by: User):
    def apply(c: Complaint) -> None:
        notices.require_told(c, name, spec)
        getattr(c, name)(resolution=resolution)
        _revisit_clock(c)
        c.promise_due = None

    def after(c: Complaint) -> None:
        tell.outcome(c)
        _told(name, spec, by)(c)

    return apply, after


def complaint_resolve_on_spot(*, complaint_id: int, by: User, resolution: str,
                              notice: dict | None = None) -> Complaint:
    """§6 当场解决: received → resolved, no compensation; still revisited. The
    decision is told to the customer (§8)."""
    require_text(resolution=resolution)
    apply, after = _resolving("resolve_on_spot", resolution, notices.clean_spec(notice), by)
    return run_transition(complaint_id=complaint_id, by=by, name="resolve_on_spot", comment=resolution,
                          apply=apply, after=after)


def complaint_resolve(*, complaint_id: int, by: User, resolution: str, notice: dict | None = None) -> Complaint:
    """§6 答复客户: the decision told to the customer (§8: its notice, with the
    customer's right to a review within 30 days)."""
    require_text(resolution=resolution)
    apply, after = _resolving("resolve", resolution, notices.clean_spec(notice), by)
    return run_transition(complaint_id=complaint_id, by=by, name="resolve", comment=resolution,
                          apply=apply, after=after)


def complaint_revisit(*, complaint_id: int, by: User, reached: bool, satisfied: bool | None,
                      note: str = "") -> Complaint:
    """§6 回访: every case is revisited. A dissatisfied customer sends the case
    back to verified as III-C upgraded, in the same transaction."""
    if reached and satisfied is None:
        raise ValidationError({"satisfied": [_("Say whether the customer is satisfied.")]})
    with transaction.atomic():
        # revisit_due stays: the figures compare it with the revisit (the clock stops with the state).
        complaint = run_transition(
            complaint_id=complaint_id, by=by, name="revisit", comment=note,
            data={"reached": reached, "satisfied": satisfied if reached else None},
            apply=lambda c: c.revisit(reached=reached, satisfied=satisfied, note=note),
        )
        if reached and satisfied is False:
            complaint = complaint_reopen(complaint_id=complaint_id, by=by,
                                         reason=_("Customer dissatisfied at the revisit."))
    return complaint


def reopened(complaint: Complaint, *, reason: str, transition: str = "reopen") -> bool:
    """Back to verified (``reopen`` after a dissatisfied revisit, or
    ``change_on_review``): the case comes back as III-C upgraded, goes to a
    supervisor (§3) and its resolution clock starts again from now. True when
    the owner changed (the caller tells the new owner). The demo generator
    replays a case's life through this too."""
    getattr(complaint, transition)()
    complaint.revisit_due = None
    complaint.promise_due = complaint.notice_due = None
    complaint.notice_due_kind = ""
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
                                                    rectification=rectification),
                          after=lambda c: signals.case_archived.send(sender=Complaint, complaint=c, by=by))


def complaint_extend(*, complaint_id: int, by: User, days: int, reason: str,
                     notice: dict | None = None) -> Complaint:
    """§4: extend the resolution deadline by ``days``: to 30 days in all by a
    supervisor, to 60 at the most by a cs_manager of the unit above or HQ. The
    customer is told with the step, or within 1 working day (§8)."""
    require_text(reason=reason)
    spec = notices.clean_spec(notice)
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
        if spec is None:
            notices.owe_notice(c, "extension")

    return run_transition(complaint_id=complaint_id, by=by, name="extend", comment=reason,
                          data={"days": days}, apply=apply, after=_told("extend", spec, by, reason=reason))


def complaint_pause(*, complaint_id: int, by: User, reason: str, notice: dict | None = None) -> Complaint:
    """§4: outside appraisal, testing or mediation does not count. The customer
    is told with the step, or within 1 working day (§8)."""
    require_text(reason=reason)
    spec = notices.clean_spec(notice)

    def apply(c: Complaint) -> None:
        c.pause()
        c.paused_at = clock.now()
        if spec is None:
            notices.owe_notice(c, "pause")

    return run_transition(complaint_id=complaint_id, by=by, name="pause", comment=reason, apply=apply,
                          after=_told("pause", spec, by, reason=reason))


def complaint_resume(*, complaint_id: int, by: User, reason: str, notice: dict | None = None) -> Complaint:
    require_text(reason=reason)
    spec = notices.clean_spec(notice)

    def apply(c: Complaint) -> None:
        c.resume()
        c.paused_seconds += int((clock.now() - c.paused_at).total_seconds())
        c.paused_at = None
        recompute_resolution_due(c)

    return run_transition(complaint_id=complaint_id, by=by, name="resume", comment=reason, apply=apply,
                          after=_told("resume", spec, by, reason=reason))


# The service of each transition a user fires (the API, the case page and the
# admin dispatch through this). FIRED_BY_SERVICES are not in it; propose is
# the approval chain's and is registered by it.
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
# Fired by a service, never by a user's button: the approval chain (approve,
# reject) and a review that changes the decision (complaints.services.reviews).
FIRED_BY_SERVICES = ("approve", "reject", "change_on_review")


def register_transition(name: str, service: Callable[..., Complaint]) -> None:
    """An app above this one serves one of the model's transitions (approvals: propose)."""
    TRANSITION_SERVICES[name] = service


def available_transitions(complaint: Complaint, user: User) -> list[str]:
    """The transitions this user may fire now (state, permission and conditions)."""
    if complaint.state == State.ARCHIVED:
        return []
    return [t.name for t in complaint.get_available_user_state_transitions(user)]
