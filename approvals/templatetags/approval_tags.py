"""The approval chain and the payment on the case page (complaints/detail.html):
what approvals adds to a page the complaints app draws."""

from django import template

from approvals.forms import PaymentForm
from approvals.selectors import current_chain
from complaints import policies, privacy
from complaints.choices import State
from config.masking import mask_account

register = template.Library()


def _waits_for_payment(complaint) -> bool:
    return complaint.state == State.APPROVED and not policies.is_paid_if_needed(complaint)


@register.filter
def may_pay(complaint, user) -> bool:
    """This user records the payment the case waits for (the case page's one task for finance)."""
    return _waits_for_payment(complaint) and policies.pays(user)


@register.inclusion_tag("approvals/snippets/chain.html", takes_context=True)
def approval_chain(context, complaint):
    """The current proposal's chain, step by step (nothing before a proposal)."""
    return {"chain": current_chain(complaint=complaint), "request": context.get("request")}


@register.filter
def masked_account(number: str) -> str:
    """The payee's account number masked (6225 **** 6789): everywhere but the payment panel, for finance."""
    return mask_account(number)


@register.inclusion_tag("approvals/snippets/payment.html", takes_context=True)
def payment_panel(context, complaint, form=None):
    """财务付费: an approved remedy above zero waits for finance (§5); finance
    records the payment here. ``form`` is the form just posted, with its errors."""
    waiting = _waits_for_payment(complaint)
    user = context["request"].user
    paying = may_pay(complaint, user)
    chain = current_chain(complaint=complaint) if paying else None  # whom finance pays
    full = bool(chain and chain.payee_account and policies.sees_payee_account(complaint, user))
    if full:
        privacy.disclose_payee_account(user=user, complaint=complaint)  # logged, like a full phone number
    return {
        "complaint": complaint,
        "waiting": waiting,
        "may_pay": paying,
        "form": form or PaymentForm(initial={"amount": complaint.amount}),
        "chain": chain,
        "account_in_full": full,
        "csrf_token": context.get("csrf_token"),
    }
