from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from config.pagination import EstimatedCountPaginator
from escalation import notifications, selectors


@login_required
def notification_list(request):
    page = EstimatedCountPaginator(selectors.notifications_for(user=request.user), 30).get_page(
        request.GET.get("page"))
    return render(request, "escalation/notifications.html", {"page": page})


@login_required
@require_POST
def notification_read(request, pk=None):
    notifications.mark_read(user=request.user, notification_id=pk)
    target = request.POST.get("next")
    if target and target.startswith("/") and not target.startswith("//"):
        return redirect(target)
    return redirect("escalation:notifications")
