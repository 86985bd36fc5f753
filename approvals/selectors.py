from approvals.models import ApprovalChain, ApprovalStep
from complaints import policies
from complaints.models import Complaint
from config.pagination import EstimatedCountPaginator


def pending_steps_for(*, user):
    """The steps waiting for this user, most urgent first (§3 priority, then the
    case's next deadline): the user's roles, cases in scope, not the user's own
    proposals, not chains the user already decided a step of."""
    roles = policies.step_roles(user)
    qs = ApprovalStep.objects.filter(status=ApprovalStep.Status.PENDING)
    if roles is not None:
        qs = qs.filter(role__in=roles)
    return (qs.filter(chain__complaint__in=Complaint.objects.visible_to(user))
            .exclude(chain__proposed_by=user)
            .exclude(chain__steps__decided_by=user)
            .select_related("chain", "chain__complaint", "chain__complaint__category",
                            "chain__complaint__org_unit", "chain__proposed_by")
            .order_by("chain__complaint__priority", "chain__complaint__next_due", "pk"))


def waiting_for(*, user) -> EstimatedCountPaginator:
    """The ids of the steps waiting for this user, in ``pending_steps_for``'s
    order, paged; its count stops at 10,000 (an HQ approver's queue can be huge).
    The approvals page pages it; the navigation badge shows its count."""
    return EstimatedCountPaginator(pending_steps_for(user=user).values_list("pk", flat=True), 20)


def current_chain(*, complaint) -> ApprovalChain | None:
    return complaint.approval_chains.prefetch_related("steps__decided_by").select_related("proposed_by").first()
