"""Approval of remedies (docs/rules.md §5): the proposal, tier
routing, the chain, each step, payment.

Tier routing and the order of steps live here and only here (separation of
duties is ``complaints.policies.may_decide_step``); the API, the approval
queue page, the case page and the admin call these functions. ``propose`` is
served here and registered with the workflow (approvals/apps.py).
"""

import re
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from accounts.models import User
from approvals.models import ApprovalChain, ApprovalStep, ApprovalTier, Payment
from complaints import policies, selectors
from complaints.exceptions import ConcurrentChange, NotPermitted, NotVisible, TransitionNotAllowed
from complaints.models import Complaint, State
from complaints.services import record_history, run_transition, transition_apply
from complaints.validators import require_text, validate_amount, validate_person_name
from config import clock
from config.text import one_line
from escalation.models import Notification
from escalation.notifications import notify


def route(amount: Decimal) -> tuple[ApprovalTier, list[str]]:
    """§5: the tier whose [min, max) holds X, and its roles in order. Lower
    bounds inclusive, upper exclusive: 2,000.00 is the second tier, 1,999.99
    the first."""
    tier = (ApprovalTier.objects.filter(min_amount__lte=amount)
            .filter(Q(max_amount__gt=amount) | Q(max_amount__isnull=True))
            .prefetch_related("steps").order_by("-min_amount").first())
    if tier is None or not tier.steps.all():
        raise ValidationError({"amount": [_("No approval tier covers %(amount)s; ask an administrator to "
                                            "complete the approval tiers.") % {"amount": amount}]})
    return tier, [step.role for step in tier.steps.all()]


def chain_start(complaint: Complaint, *, by: User, payee: dict | None = None) -> ApprovalChain:
    """Snapshot the tier's steps for this proposal (called in the transaction of
    ``propose``): editing tiers later does not change running chains."""
    tier, step_roles = route(complaint.amount)
    chain = ApprovalChain.objects.create(complaint=complaint, amount=complaint.amount, remedy=complaint.remedy,
                                         tier_name=tier.name, proposed_by=by, step_count=len(step_roles),
                                         **(payee or {}))
    ApprovalStep.objects.bulk_create(
        ApprovalStep(chain=chain, position=i, role=role,
                     status=ApprovalStep.Status.PENDING if i == 1 else ApprovalStep.Status.WAITING)
        for i, role in enumerate(step_roles, 1)
    )
    _tell_approvers(chain, chain.steps.get(position=1))
    return chain


def complaint_propose(*, complaint_id: int, by: User, remedy: str, amount, comment: str = "",
                      payee: dict | None = None) -> Complaint:
    """§6 提出方案: remedy, amount X the company bears and the reasoning; starts
    the approval chain of X's tier in the same transaction. The payee (户名,
    开户行, 账号) goes with the proposal, so approvers see whom they approve a
    payment to and finance pays that account."""
    require_text(remedy=remedy)
    value = validate_amount(amount)
    payee = clean_payee(**(payee or {}))
    return run_transition(complaint_id=complaint_id, by=by, name="propose", comment=comment or remedy,
                          data={"amount": str(value)},
                          apply=lambda c: c.propose(remedy=remedy, amount=value, by=by),
                          after=lambda c: chain_start(c, by=by, payee=payee))


def clean_payee(*, name: str = "", bank: str = "", account: str = "") -> dict:
    """The payee's three details, all or none; an account number is 8–30 digits
    (spaces and hyphens as typed are dropped)."""
    name, bank = one_line(name).strip(), one_line(bank).strip()
    digits = re.sub(r"[\s-]", "", account or "")
    if not (name or bank or digits):
        return {}
    errors = {}
    if not name:
        errors["payee_name"] = [_("Give the payee's name as on the account (户名).")]
    if not bank:
        errors["payee_bank"] = [_("Give the payee's bank and branch (开户行).")]
    if not re.fullmatch(r"[0-9]{8,30}", digits):
        errors["payee_account"] = [_("An account number has 8 to 30 digits.")]
    for field, value in (("payee_name", name), ("payee_bank", bank)):
        try:
            validate_person_name(value)
        except ValidationError as exc:
            errors.setdefault(field, []).extend(exc.messages)
    if errors:
        raise ValidationError(errors)
    return {"payee_name": name, "payee_bank": bank, "payee_account": digits}


def _locked_step(step_id: int, user: User) -> ApprovalStep:
    """Lock the case first, then the step (the order every transition uses)."""
    complaint_id = ApprovalStep.objects.filter(pk=step_id).values_list("chain__complaint_id", flat=True).first()
    if complaint_id is None:
        raise NotVisible(_("No such approval step."))
    try:
        complaint = selectors.get_visible(user=user, complaint_id=complaint_id, lock=True)
    except NotVisible:
        # Another unit's step answers exactly as a step that does not exist.
        raise NotVisible(_("No such approval step.")) from None
    step = ApprovalStep.objects.select_for_update().select_related("chain").get(pk=step_id)
    step.chain.complaint = complaint
    return step


def _decide(step: ApprovalStep, user: User, status: str, comment: str) -> None:
    if step.status != ApprovalStep.Status.PENDING or step.chain.status != ApprovalChain.Status.PENDING:
        raise ConcurrentChange(_("This step has already been decided."))
    if not policies.may_decide_step(step, user):
        raise NotPermitted(_("You may not decide this step: it needs the role %(role)s, and nobody "
                             "approves their own proposal or two steps of one case.")
                           % {"role": step.get_role_display()})
    step.status, step.decided_by, step.decided_at, step.comment = status, user, clock.now(), comment
    try:
        with transaction.atomic():
            step.save()
    except IntegrityError as exc:
        raise ConcurrentChange(_("You have already decided a step of this case.")) from exc


def step_approve(*, step_id: int, by: User, comment: str = "") -> ApprovalStep:
    with transaction.atomic():
        step = _locked_step(step_id, by)
        chain, complaint = step.chain, step.chain.complaint
        _decide(step, by, ApprovalStep.Status.APPROVED, comment)
        record_history(complaint, name="approve_step", from_state=complaint.state, by=by, comment=comment,
                       data={"position": step.position, "of": chain.step_count, "role": step.role,
                             "amount": str(chain.amount)})
        following = chain.steps.filter(position=step.position + 1).first()
        if following is not None:
            following.status = ApprovalStep.Status.PENDING
            following.save(update_fields=["status"])
            _tell_approvers(chain, following)
            return step
        chain.status, chain.closed_at = ApprovalChain.Status.APPROVED, clock.now()
        chain.save(update_fields=["status", "closed_at"])
        transition_apply(complaint, name="approve", by=by, apply=lambda c: c.approve(), comment=comment,
                         data={"amount": str(chain.amount), "tier": chain.tier_name})
        notify(recipients=[chain.proposed_by, complaint.owner], kind=Notification.Kind.APPROVAL,
               complaint=complaint, title=_("%(number)s: remedy approved (%(amount)s)")
               % {"number": complaint.number, "amount": chain.amount},
               body=_("Pay first if the amount is above zero, then tell the customer.")
               if chain.amount else _("Tell the customer the decision."))
    return step


def step_reject(*, step_id: int, by: User, reason: str) -> ApprovalStep:
    """One rejection sends the proposal back to the handler with the reason."""
    require_text(reason=reason)
    with transaction.atomic():
        step = _locked_step(step_id, by)
        chain, complaint = step.chain, step.chain.complaint
        _decide(step, by, ApprovalStep.Status.REJECTED, reason)
        chain.steps.filter(status=ApprovalStep.Status.WAITING).update(status=ApprovalStep.Status.CANCELLED)
        chain.status, chain.closed_at = ApprovalChain.Status.REJECTED, clock.now()
        chain.save(update_fields=["status", "closed_at"])
        transition_apply(complaint, name="reject", by=by, apply=lambda c: c.reject(), comment=reason,
                         data={"position": step.position, "role": step.role, "amount": str(chain.amount)})
        notify(recipients=[chain.proposed_by, complaint.owner], kind=Notification.Kind.APPROVAL,
               complaint=complaint, title=_("%(number)s: remedy rejected") % {"number": complaint.number},
               body=reason)
    return step


def _tell_approvers(chain: ApprovalChain, step: ApprovalStep) -> None:
    complaint = chain.complaint
    units = [complaint.org_unit, *complaint.org_unit.ancestors()]
    decided = chain.steps.exclude(decided_by=None).values_list("decided_by", flat=True)
    holders = (User.objects.filter(is_active=True, groups__name=step.role, org_unit__in=units)
               .exclude(pk=chain.proposed_by_id).exclude(pk__in=decided))
    notify(recipients=holders, kind=Notification.Kind.APPROVAL, complaint=complaint,
           title=_("%(number)s: approval needed (step %(position)d of %(of)d, %(amount)s)")
           % {"number": complaint.number, "position": step.position, "of": chain.step_count,
              "amount": chain.amount},
           body=chain.remedy[:200])


def payment_record(*, complaint_id: int, by: User, reference: str, amount) -> Payment:
    """财务付费: finance records the payment of the approved amount (§5)."""
    require_text(reference=reference)
    value = validate_amount(amount)
    with transaction.atomic():
        complaint = selectors.get_visible(user=by, complaint_id=complaint_id, lock=True)
        if not policies.pays(by):
            raise NotPermitted(_("Only finance records payments."))
        if complaint.state != State.APPROVED:
            raise TransitionNotAllowed(_("Only an approved remedy is paid."))
        if not complaint.amount:
            raise TransitionNotAllowed(_("This remedy costs nothing; there is nothing to pay."))
        if complaint.paid_at is not None:
            raise ConcurrentChange(_("This remedy has already been paid."))
        chain = complaint.approval_chains.filter(status=ApprovalChain.Status.APPROVED).first()
        if value != chain.amount:
            raise ValidationError({"amount": [_("The payment must equal the approved amount, %(amount)s.")
                                              % {"amount": chain.amount}]})
        try:
            with transaction.atomic():
                payment = Payment.objects.create(chain=chain, complaint=complaint, reference=reference.strip(),
                                                 amount=value, paid_by=by)
        except IntegrityError as exc:
            raise ConcurrentChange(_("This remedy has already been paid.")) from exc
        complaint.paid_at = payment.paid_at
        complaint.save(update_fields=["paid_at", "updated_at"])
        record_history(complaint, name="payment", from_state=complaint.state, by=by, comment=reference.strip(),
                       data={"amount": str(value), "reference": reference.strip()})
        notify(recipients=[complaint.owner], kind=Notification.Kind.APPROVAL, complaint=complaint,
               title=_("%(number)s: paid (%(amount)s); tell the customer") % {"number": complaint.number,
                                                                              "amount": value})
    return payment
