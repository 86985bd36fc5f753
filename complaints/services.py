"""Writes on complaints: intake, ownership, every transition, contact attempts.

Each public function is keyword-only, runs in one transaction, checks scope
and permission, changes state only through the django-fsm transition, updates
deadlines and writes the history row. Views, API endpoints, admin actions and
tasks call these and nothing else.
"""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from types import SimpleNamespace

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import ConcurrentTransition, can_proceed

from accounts import roles
from accounts.models import OrgUnit, User
from accounts.selectors import role_holder, units_visible_to
from complaints import batch, intake_notices, policies, selectors
from complaints.classification import BATCH_THRESHOLD, Classification, classify, facts_of
from complaints.exceptions import ConcurrentChange, NotPermitted, NotVisible, TransitionNotAllowed
from complaints.models import (
    ACTIVE_STATES,
    OPEN_STATES,
    Category,
    Complaint,
    ContactAttempt,
    HistoryEntry,
    OwnerRule,
    State,
)
from complaints.numbering import next_number
from config import clock
from escalation import deadlines, tracking

FUTURE_TOLERANCE = dt.timedelta(minutes=5)  # clocks of desks and servers differ a little
BASE_WINDOW_DAYS = 15  # §4: within 15 calendar days of receipt


# --- Intake -----------------------------------------------------------------

@dataclass
class Intake:
    """What a desk or an integration tells us about a new complaint (§2)."""

    channel: str
    complainant_name: str
    complainant_phone: str
    category: str
    reason: str
    complainant_gender: str = "U"
    complainant_id_number: str = ""
    customer_type: str = "existing"
    complainant_region: str = ""
    is_vip: bool = False
    sensitive_identity: str = "none"
    difficult_flags: tuple[str, ...] = ()
    request: str = ""
    narrative: str = ""
    issue_tag: str = ""
    claim_amount: Decimal | None = None
    product_ref: str = ""
    org_unit: str | None = None
    subject_agent: str | None = None
    major_impact: bool = False
    escalated_from_hq: bool = False
    group_size: int = 1
    received_at: dt.datetime | None = None


@dataclass(frozen=True)
class IntakeDecision:
    """What the system decides for a complaint: shown before saving, applied on save."""

    classification: Classification
    owner: User | None
    owner_role: str
    first_callback_due: dt.datetime
    resolution_due: dt.datetime
    calendar_unconfirmed: bool


def _resolve_intake(*, by: User, intake: Intake) -> tuple[OrgUnit, Category, User | None, dt.datetime]:
    if not policies.can_log(by):
        raise NotPermitted(_("Your role does not log complaints."))
    errors = {}
    now = clock.now()
    received_at = intake.received_at or now
    if timezone.is_naive(received_at):
        received_at = timezone.make_aware(received_at)
    if received_at > now + FUTURE_TOLERANCE:
        errors["received_at"] = [_("The received time cannot be in the future.")]

    category = selectors.selectable_category(intake.category)
    if category is None:
        errors["category"] = [_("Unknown complaint category “%(code)s”.") % {"code": intake.category}]

    if intake.org_unit:
        unit = units_visible_to(by).filter(code=intake.org_unit).first()
        if unit is None:
            errors["org_unit"] = [_("Unknown organisation unit “%(code)s”.") % {"code": intake.org_unit}]
    else:
        unit = by.org_unit
        if unit is None:
            errors["org_unit"] = [_("Choose the organisation unit the complaint belongs to.")]

    agent = None
    if intake.subject_agent:
        agent = User.objects.filter(username=intake.subject_agent, is_active=True,
                                    org_unit__in=units_visible_to(by)).first()
        if agent is None:
            errors["subject_agent"] = [_("Unknown agent “%(name)s”.") % {"name": intake.subject_agent}]
    elif category is not None and category.requires_agent:
        errors["subject_agent"] = [_("Name the agent this complaint is about.")]

    if errors:
        raise ValidationError(errors)
    return unit, category, agent, received_at


def assign_owner(*, rule: str, logged_by: User, unit: OrgUnit, agent: User | None) -> tuple[User | None, str]:
    """§3 owner rules. A case logged by someone who works cases is theirs (首问负责);
    one logged at the front desk waits in its unit's handler queue; II-B goes to
    the complained-about agent's supervisor, II-C to a senior agent, III-B to risk
    control, III-C and urgent ones to a supervisor."""
    # Nobody handles a complaint about themselves.
    if rule == OwnerRule.FIRST_RECEIVER:
        if logged_by.has_role(*roles.CASE_WORKERS) and logged_by != agent:
            return logged_by, roles.HANDLER
        return None, roles.HANDLER
    if rule == OwnerRule.AGENT_SUPERVISOR:
        if agent is not None and agent.supervisor_id and agent.supervisor.is_active:
            return agent.supervisor, roles.SUPERVISOR
        return role_holder(role=roles.SUPERVISOR, unit=(agent.org_unit if agent else unit),
                           open_states=OPEN_STATES, exclude=agent), roles.SUPERVISOR
    role = {
        OwnerRule.SENIOR_AGENT: roles.SENIOR_AGENT,
        OwnerRule.RISK_CONTROL: roles.RISK_CONTROL,
        OwnerRule.SUPERVISOR: roles.SUPERVISOR,
    }[rule]
    if logged_by.has_role(role) and policies.in_scope_unit(unit, logged_by) and logged_by != agent:
        return logged_by, role
    return role_holder(role=role, unit=unit, open_states=OPEN_STATES, exclude=agent), role


def decide(*, by: User, intake: Intake) -> IntakeDecision:
    """Classification, owner and deadlines of a complaint not yet saved (the
    intake preview). ``complaint_submit`` applies exactly this."""
    unit, category, agent, received_at = _resolve_intake(by=by, intake=intake)
    return _decide(by=by, intake=intake, unit=unit, category=category, agent=agent,
                   received_at=received_at, is_batch=False)


def _decide(*, by, intake, unit, category, agent, received_at, is_batch) -> IntakeDecision:
    probe = SimpleNamespace(  # the facts a complaint not yet made would have
        category=category, channel=intake.channel, is_vip=intake.is_vip,
        sensitive_identity=intake.sensitive_identity, major_impact=intake.major_impact,
        escalated_from_hq=intake.escalated_from_hq, group_size=intake.group_size,
        is_batch=is_batch, is_upgraded=False,
    )
    classification = classify(facts_of(probe))
    owner, owner_role = assign_owner(rule=classification.owner_rule, logged_by=by, unit=unit,
                                     agent=agent)
    callback = deadlines.first_callback_due(received_at, classification.callback_rule)
    return IntakeDecision(
        classification=classification,
        owner=owner,
        owner_role=owner_role,
        first_callback_due=callback.at,
        resolution_due=deadlines.resolution_due(received_at, BASE_WINDOW_DAYS),
        calendar_unconfirmed=not callback.confirmed,
    )


def complaint_submit(*, by: User, intake: Intake) -> Complaint:
    """Log a complaint (受理/登记): classified, owned and given its deadlines at
    once; the batch rule applied; the people concerned told (outbox)."""
    unit, category, agent, received_at = _resolve_intake(by=by, intake=intake)
    issue_tag = intake.issue_tag.strip()
    with transaction.atomic():
        is_batch = False
        if issue_tag:
            count = batch.count_in(day=batch.local_day(received_at), category_id=category.pk,
                                   issue_tag=issue_tag)
            is_batch = batch.is_batch_count(count)
        decision = _decide(by=by, intake=intake, unit=unit, category=category, agent=agent,
                           received_at=received_at, is_batch=is_batch)
        c = decision.classification
        complaint = Complaint(
            number=next_number(timezone.localtime(received_at).date()),
            channel=intake.channel,
            org_unit=unit,
            complainant_name=intake.complainant_name,
            complainant_phone=intake.complainant_phone,
            complainant_gender=intake.complainant_gender,
            complainant_id_number=intake.complainant_id_number,
            customer_type=intake.customer_type,
            complainant_region=intake.complainant_region,
            is_vip=intake.is_vip,
            sensitive_identity=intake.sensitive_identity,
            difficult_flags=list(intake.difficult_flags),
            category=category,
            reason=intake.reason,
            request=intake.request,
            narrative=intake.narrative,
            issue_tag=issue_tag,
            is_batch=is_batch,
            claim_amount=intake.claim_amount,
            product_ref=intake.product_ref,
            subject_agent=agent,
            first_receiver=by,
            owner=decision.owner,
            owner_role=decision.owner_role,
            major_impact=intake.major_impact,
            escalated_from_hq=intake.escalated_from_hq,
            group_size=intake.group_size,
            level=c.level,
            classification=c.code,
            urgent_reasons=c.urgent_reasons,
            priority=c.priority,
            received_at=received_at,
            state_entered_at=received_at,
            clock_started_at=received_at,
            callback_rule=c.callback_rule,
            first_callback_due=decision.first_callback_due,
            resolution_due=decision.resolution_due,
            calendar_unconfirmed=decision.calendar_unconfirmed,
        )
        tracking.refresh(complaint)
        complaint.save()
        # Kept on the instance: the intake's answer shows this timeline without reading it back.
        complaint.history_written = [HistoryEntry.objects.create(
            at=clock.now(), complaint=complaint, transition="receive", from_state="", to_state=State.RECEIVED,
            by=by, comment="",
            data={"level": c.level, "classification": c.code, "urgent_reasons": c.urgent_reasons,
                  "owner": decision.owner.username if decision.owner else None,
                  "owner_role": decision.owner_role},
        )]
        if is_batch:
            _batch_detected(complaint, by=by)
        intake_notices.tell(complaint, by=by)
    return complaint


def _batch_detected(complaint: Complaint, *, by: User) -> None:
    """§3 rule 4: the day's earlier complaints about the same issue become urgent
    too (their deadlines recomputed); the supervisor and cs_manager are told once."""
    start, end = batch.day_bounds(batch.local_day(complaint.received_at))
    now = clock.now()
    units = {complaint.org_unit}
    earlier = (Complaint.objects.select_for_update(of=("self",)).select_related("category", "owner", "org_unit")
               .filter(category=complaint.category, issue_tag=complaint.issue_tag, is_batch=False,
                       received_at__gte=start, received_at__lt=end).exclude(pk=complaint.pk))
    for case in earlier:
        case.is_batch = True
        _reclassify(case, is_batch=True)
        case.callback_rule = case_rule = classify(facts_of(case)).callback_rule
        if case.first_callback_at is None and case.state in OPEN_STATES:
            # The 3-hour clock of a case that becomes urgent later runs from the
            # moment it became urgent, and never moves a deadline later.
            due = deadlines.first_callback_due(max(case.received_at, now), case_rule).at
            case.first_callback_due = min(case.first_callback_due, due)
        if case.state in ACTIVE_STATES and (case.owner is None or not case.owner.has_role(roles.SUPERVISOR)):
            case.owner = role_holder(role=roles.SUPERVISOR, unit=case.org_unit, open_states=OPEN_STATES)
            case.owner_role = roles.SUPERVISOR
            intake_notices.tell_new_owner(case, reason=_("Batch complaint"))
        units.add(case.org_unit)
        tracking.refresh(case, recorded=tracking.recorded_keys(case))
        case.save()
        record_history(
            case, at=now, name="batch", from_state=case.state,
            by=None, comment=_("Batch complaint: more than %(n)d complaints about “%(tag)s” today.")
            % {"n": BATCH_THRESHOLD, "tag": case.issue_tag},
            data={"trigger": complaint.number},
        )
    intake_notices.tell_batch(complaint, units=units)


# --- Deadlines kept on the record ---------------------------------------------

def _recompute_resolution_due(complaint: Complaint) -> None:
    complaint.resolution_due = deadlines.resolution_due(
        complaint.clock_started_at, complaint.resolution_window_days, complaint.paused_seconds
    )


def _reclassify(complaint: Complaint, **overrides) -> None:
    c = classify(facts_of(complaint, **overrides))
    complaint.level, complaint.classification = c.level, c.code
    complaint.urgent_reasons, complaint.priority = c.urgent_reasons, c.priority


def upgrade(complaint: Complaint, *, reason: str, reassign: bool = True) -> None:
    """§3: a complaint becomes III-C upgraded when the customer is dissatisfied at
    the revisit, a deadline is breached, or it comes back after being closed.
    A case that comes back goes to a supervisor; a breached one stays with its
    owner (首问负责) while the supervisor is told. Call inside the transaction
    that saves the case."""
    complaint.is_upgraded = True
    complaint.upgrade_reason = reason[:200]
    _reclassify(complaint, is_upgraded=True)
    if reassign and (complaint.owner is None or not complaint.owner.has_role(roles.SUPERVISOR)):
        complaint.owner = role_holder(role=roles.SUPERVISOR, unit=complaint.org_unit,
                                      open_states=OPEN_STATES)
        complaint.owner_role = roles.SUPERVISOR
        intake_notices.tell_new_owner(complaint, reason=reason)


# --- Transitions ----------------------------------------------------------------

def record_history(complaint: Complaint, *, name: str, from_state: str, by: User | None, comment: str = "",
                   data: dict | None = None, at: dt.datetime | None = None) -> HistoryEntry:
    """Append one history entry (§6: who, when, from, to, comment). When the state
    changed it also keeps the time spent in the state left, for the §7 average
    time in each state. Call after the case is saved, in the same transaction."""
    entry = history_entry(complaint, name=name, from_state=from_state, by=by, comment=comment, data=data, at=at)
    if from_state != complaint.state:
        Complaint.objects.filter(pk=complaint.pk).update(state_entered_at=complaint.state_entered_at)
    entry.save()
    return entry


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


def get_visible(*, user: User, complaint_id: int, lock: bool = False) -> Complaint:
    qs = Complaint.objects.visible_to(user).select_related("org_unit", "category")
    if lock:
        # Only the case row, and no join on what a competing transaction may have
        # changed (owner): PostgreSQL rechecks the locked row after the wait but
        # not the joined ones, so a joined owner could be read stale.
        qs = qs.select_for_update(of=("self",))
    else:
        qs = qs.select_related("owner")
    complaint = qs.filter(pk=complaint_id).order_by("pk").first()  # by key, not a walk of the priority index
    if complaint is None:
        raise NotVisible(_("No such complaint."))
    return complaint


def _require_text(**fields) -> None:
    errors = {name: [_("This field is required.")] for name, value in fields.items()
              if not (value or "").strip()}
    if errors:
        raise ValidationError(errors)


def _run(*, complaint_id: int, by: User, name: str, comment: str = "", data: dict | None = None,
         apply, after=None) -> Complaint:
    """Fire transition ``name`` on a case the user sees: 404 out of scope, 409 when
    the state or a condition does not allow it, 403 when the user may not; then
    history, deadlines and ownership in the same transaction."""
    with transaction.atomic():
        complaint = get_visible(user=by, complaint_id=complaint_id, lock=True)
        method = getattr(complaint, name)
        if not can_proceed(method, check_conditions=False):
            raise TransitionNotAllowed(
                _("A complaint in state “%(state)s” cannot be %(action)s.")
                % {"state": complaint.get_state_display(), "action": transition_label(name)}
            )
        if not method._django_fsm.has_transition_perm(complaint, complaint.state, by):
            raise NotPermitted(_("You may not do this on this complaint."))
        if not can_proceed(method):
            raise TransitionNotAllowed(condition_message(name))
        from_state = complaint.state
        if policies.may_take(complaint, by):
            complaint.owner = by  # 首问负责: whoever acts on a queued case owns it
        apply(complaint)
        tracking.refresh(complaint, recorded=tracking.recorded_keys(complaint))
        try:
            complaint.save()
        except ConcurrentTransition as exc:
            raise ConcurrentChange(_("Someone else changed this complaint first; reload it.")) from exc
        record_history(complaint, name=name, from_state=from_state, by=by, comment=comment, data=data)
        if after is not None:
            after(complaint)
    return complaint


def transition_label(name: str) -> str:
    labels = {
        "verify": _("verified"), "invalidate": _("closed as invalid"),
        "resolve_on_spot": _("resolved on the spot"), "propose": _("given a proposal"),
        "approve": _("approved"), "reject": _("rejected"), "resolve": _("resolved"),
        "revisit": _("revisited"), "reopen": _("reopened"), "archive": _("archived"),
        "extend": _("extended"), "pause": _("paused"), "resume": _("resumed"),
    }
    return labels.get(name, name)


def action_label(name: str) -> str:
    """The button label of a transition (from its django-fsm ``custom`` label)."""
    method = getattr(Complaint, name, None)
    meta = getattr(method, "_django_fsm", None)
    if meta is None:
        return name
    transition = next(iter(meta.transitions.values()))
    return str(transition.custom.get("label", name))


def condition_message(name: str) -> str:
    messages = {
        "resolve_on_spot": _("Only a minor (level I) complaint may be resolved on the spot."),
        "archive": _("A dissatisfied customer's case goes back to verification, not to the archive."),
        "extend": _("The resolution deadline is at its 60-day limit or has already passed; a breached "
                    "deadline cannot be extended."),
        "pause": _("The resolution clock is already paused, or its deadline has already passed."),
        "resume": _("The resolution clock is not paused."),
    }
    return messages.get(name, _("This complaint does not allow that now."))


def complaint_verify(*, complaint_id: int, by: User, responsible_department: str = "",
                     comment: str = "") -> Complaint:
    return _run(complaint_id=complaint_id, by=by, name="verify", comment=comment,
                data={"responsible_department": responsible_department} if responsible_department else None,
                apply=lambda c: c.verify(responsible_department=responsible_department))


def complaint_invalidate(*, complaint_id: int, by: User, reason: str) -> Complaint:
    """§6: an invalid complaint is closed with a reason; the customer is still told."""
    _require_text(reason=reason)
    return _run(complaint_id=complaint_id, by=by, name="invalidate", comment=reason,
                apply=lambda c: c.invalidate(reason=reason))


def complaint_resolve_on_spot(*, complaint_id: int, by: User, resolution: str) -> Complaint:
    """§6 当场解决: received → resolved, no compensation; still revisited."""
    _require_text(resolution=resolution)
    return _run(complaint_id=complaint_id, by=by, name="resolve_on_spot", comment=resolution,
                apply=lambda c: c.resolve_on_spot(resolution=resolution), after=intake_notices.tell_outcome)


def validate_amount(amount, field: str = "amount") -> Decimal:
    """Money is an exact, non-negative decimal with at most two places (§5)."""
    try:
        value = amount if isinstance(amount, Decimal) else Decimal(str(amount))
    except Exception:
        raise ValidationError({field: [_("Enter an amount such as 1999.99.")]}) from None
    if not value.is_finite():
        raise ValidationError({field: [_("Enter an amount such as 1999.99.")]})
    if value < 0:
        raise ValidationError({field: [_("The amount cannot be negative.")]})
    if value.as_tuple().exponent < -2:
        raise ValidationError({field: [_("The amount has at most two decimal places.")]})
    if value >= Decimal("1e12"):
        raise ValidationError({field: [_("The amount is too large.")]})
    return value.quantize(Decimal("0.01"))


def complaint_propose(*, complaint_id: int, by: User, remedy: str, amount, comment: str = "") -> Complaint:
    """§6 提出方案: remedy, amount X the company bears and the reasoning."""
    _require_text(remedy=remedy)
    value = validate_amount(amount)
    from approvals.services import chain_start

    return _run(complaint_id=complaint_id, by=by, name="propose", comment=comment or remedy,
                data={"amount": str(value)},
                apply=lambda c: c.propose(remedy=remedy, amount=value, by=by),
                after=lambda c: chain_start(c, by=by))


def complaint_resolve(*, complaint_id: int, by: User, resolution: str) -> Complaint:
    _require_text(resolution=resolution)
    return _run(complaint_id=complaint_id, by=by, name="resolve", comment=resolution,
                apply=lambda c: c.resolve(resolution=resolution), after=intake_notices.tell_outcome)


def complaint_revisit(*, complaint_id: int, by: User, reached: bool, satisfied: bool | None,
                      note: str = "") -> Complaint:
    """§6 回访: every case is revisited. A dissatisfied customer sends the case
    back to verified as III-C upgraded, in the same transaction."""
    if reached and satisfied is None:
        raise ValidationError({"satisfied": [_("Say whether the customer is satisfied.")]})
    with transaction.atomic():
        complaint = _run(
            complaint_id=complaint_id, by=by, name="revisit", comment=note,
            data={"reached": reached, "satisfied": satisfied if reached else None},
            apply=lambda c: c.revisit(reached=reached, satisfied=satisfied, note=note),
        )
        if reached and satisfied is False:
            complaint = complaint_reopen(complaint_id=complaint_id, by=by,
                                         reason=_("Customer dissatisfied at the revisit."))
    return complaint


def complaint_reopen(*, complaint_id: int, by: User, reason: str) -> Complaint:
    """revisited → verified; the case comes back as III-C upgraded (§3) and its
    resolution clock starts again from now."""
    _require_text(reason=reason)

    def apply(c: Complaint) -> None:
        c.reopen()
        upgrade(c, reason=reason)
        c.clock_started_at = clock.now()
        c.resolution_window_days, c.paused_seconds, c.paused_at = BASE_WINDOW_DAYS, 0, None
        _recompute_resolution_due(c)

    return _run(complaint_id=complaint_id, by=by, name="reopen", comment=reason, apply=apply)


def complaint_archive(*, complaint_id: int, by: User, root_cause: str, responsible_party: str = "",
                      rectification: str = "") -> Complaint:
    """§6 建档: root cause, responsibility and rectification; then read-only."""
    _require_text(root_cause=root_cause)
    return _run(complaint_id=complaint_id, by=by, name="archive", comment=root_cause,
                data={"responsible_party": responsible_party, "rectification": rectification},
                apply=lambda c: c.archive(root_cause=root_cause, responsible_party=responsible_party,
                                          rectification=rectification))


def complaint_extend(*, complaint_id: int, by: User, days: int, reason: str) -> Complaint:
    """§4: extend the resolution deadline by ``days``: to 30 days in all by a
    supervisor, to 60 at the most by a cs_manager of the unit above or HQ."""
    _require_text(reason=reason)
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
        _recompute_resolution_due(c)

    return _run(complaint_id=complaint_id, by=by, name="extend", comment=reason,
                data={"days": days}, apply=apply)


def complaint_pause(*, complaint_id: int, by: User, reason: str) -> Complaint:
    """§4: outside appraisal, testing or mediation does not count."""
    _require_text(reason=reason)

    def apply(c: Complaint) -> None:
        c.pause()
        c.paused_at = clock.now()

    return _run(complaint_id=complaint_id, by=by, name="pause", comment=reason, apply=apply)


def complaint_resume(*, complaint_id: int, by: User, reason: str) -> Complaint:
    _require_text(reason=reason)

    def apply(c: Complaint) -> None:
        c.resume()
        c.paused_seconds += int((clock.now() - c.paused_at).total_seconds())
        c.paused_at = None
        _recompute_resolution_due(c)

    return _run(complaint_id=complaint_id, by=by, name="resume", comment=reason, apply=apply)


TRANSITION_SERVICES = {
    "verify": complaint_verify,
    "invalidate": complaint_invalidate,
    "resolve_on_spot": complaint_resolve_on_spot,
    "propose": complaint_propose,
    "resolve": complaint_resolve,
    "revisit": complaint_revisit,
    "reopen": complaint_reopen,
    "archive": complaint_archive,
    "extend": complaint_extend,
    "pause": complaint_pause,
    "resume": complaint_resume,
}


def available_transitions(complaint: Complaint, user: User) -> list[str]:
    """The transitions this user may fire now (state, permission and conditions)."""
    if complaint.state == State.ARCHIVED:
        return []
    return [t.name for t in complaint.get_available_user_state_transitions(user)]


# --- Ownership and contact ------------------------------------------------------

def complaint_take(*, complaint_id: int, by: User) -> Complaint:
    """Take a case from the queue (首问负责). The first taker wins; the next gets 409."""
    with transaction.atomic():
        complaint = get_visible(user=by, complaint_id=complaint_id, lock=True)
        if complaint.state not in ACTIVE_STATES:
            raise TransitionNotAllowed(_("An archived complaint cannot be taken."))
        if complaint.owner_id is not None:
            raise ConcurrentChange(_("This complaint already has an owner: %(owner)s.")
                                   % {"owner": complaint.owner.display_name})
        if not policies.may_take(complaint, by):
            raise NotPermitted(_("Your role does not work this queue."))
        claimed = Complaint.objects.filter(pk=complaint.pk, owner__isnull=True).update(
            owner=by, updated_at=clock.now())
        if not claimed:
            raise ConcurrentChange(_("Someone else took this complaint first."))
        record_history(complaint, name="take", from_state=complaint.state, by=by)
    complaint.refresh_from_db()
    return complaint


def contact_record(*, complaint_id: int, by: User, outcome: str, at: dt.datetime | None = None,
                   note: str = "") -> ContactAttempt:
    """§4 contact: record one attempt to reach the customer. The first reached
    one stops the first-callback clock; its time is kept for statistics."""
    now = clock.now()
    at = at or now
    with transaction.atomic():
        complaint = get_visible(user=by, complaint_id=complaint_id, lock=True)
        if complaint.state == State.ARCHIVED:
            raise TransitionNotAllowed(_("An archived complaint is read-only."))
        if not policies.can_work(complaint, by):
            raise NotPermitted(_("You may not do this on this complaint."))
        if outcome not in ContactAttempt.Outcome.values:
            raise ValidationError({"outcome": [_("Unknown outcome.")]})
        if at > now + FUTURE_TOLERANCE:
            raise ValidationError({"at": [_("The time of the attempt cannot be in the future.")]})
        if at < complaint.received_at:
            raise ValidationError({"at": [_("The attempt cannot be before the complaint was received.")]})
        attempt = ContactAttempt.objects.create(complaint=complaint, at=at, outcome=outcome,
                                                note=note, by=by)
        changed = []
        if policies.may_take(complaint, by):
            complaint.owner = by
            changed.append("owner")
        if outcome == ContactAttempt.Outcome.REACHED and (
                complaint.first_callback_at is None or at < complaint.first_callback_at):
            # The earliest reached attempt is the first callback, even if recorded late.
            complaint.first_callback_at = at
            tracking.refresh(complaint, recorded=tracking.recorded_keys(complaint))
            changed += ["first_callback_at", "next_due", "is_overdue", "next_check_at"]
        if changed:
            Complaint.objects.filter(pk=complaint.pk).update(
                **{f: getattr(complaint, f) for f in changed}, updated_at=now)
        if outcome != ContactAttempt.Outcome.REACHED:
            intake_notices.tell_if_unreachable(complaint)
    return attempt
