"""The navigation's count of approvals waiting, on every page."""

from approvals.selectors import waiting_for
from complaints import policies


class Once:
    """A figure computed when the page first shows it, and only once (a template
    calls a callable each time it resolves it). A view that already has the
    figure passes it under the same name instead, and this is never called."""

    def __init__(self, compute):
        self._compute, self._done, self._value = compute, False, None

    def __call__(self):
        if not self._done:
            self._value, self._done = self._compute(), True
        return self._value


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    approver = policies.approves(user)
    return {
        # The steps waiting (its .count and .count_label, "10,000+" past the cap).
        "nav_approvals": Once(lambda: waiting_for(user=user)) if approver else None,
        "nav_is_approver": approver,
    }
