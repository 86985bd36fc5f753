"""The approval queue and the payment in the browser: thin callers of approvals.services."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Prefetch
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from approvals import selectors, services
from approvals.forms import DecisionForm, PaymentForm
from approvals.models import ApprovalStep
from complaints.exceptions import ComplaintError
from complaints.views import case_form_post
from config import clock


@login_required
def queue(request):
    # Most urgent first, 20 to a page: an HQ approver may have thousands waiting.
    waiting = selectors.waiting_for(user=request.user)
    page = waiting.get_page(request.GET.get("page"))
    # The page's 20 with what a card shows (evidence counted for those alone).
    steps = list(selectors.pending_steps_for(user=request.user).filter(pk__in=list(page.object_list))
                 .annotate(evidence=Count("chain__complaint__attachments", distinct=True))
                 .prefetch_related(Prefetch("chain__steps",
                                            queryset=ApprovalStep.objects.select_related("decided_by"))))
    return render(request, "approvals/queue.html", {
        "steps": steps, "page": page, "now": clock.now(), "form": DecisionForm(),
        "nav_approvals": waiting,  # the navigation's badge: the same count
    })


@login_required
@require_POST
def decide(request, pk, decision):
    form = DecisionForm(request.POST)
    form.is_valid()
    comment = form.cleaned_data.get("comment", "")
    try:
        if decision == "approve":
            services.step_approve(step_id=pk, by=request.user, comment=comment)
            messages.success(request, _("Approved."))
        else:
            services.step_reject(step_id=pk, by=request.user, reason=comment)
            messages.success(request, _("Rejected; the proposal went back to the handler."))
    except ValidationError:
        messages.error(request, _("Give the reason for the rejection."))
    except ComplaintError as exc:
        messages.error(request, exc.message)
    return redirect("approvals:queue")


@login_required
@require_POST
def case_pay(request, pk):
    """财务付费 from the case page (approvals.services.payment_record decides)."""
    return case_form_post(
        request, pk, "payment", PaymentForm(request.POST),
        lambda data: services.payment_record(complaint_id=pk, by=request.user, **data),
        _("Payment recorded."))
