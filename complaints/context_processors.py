"""What every page's navigation shows of the complaints app."""

from django.utils.functional import SimpleLazyObject

from accounts import roles
from complaints import policies, selectors


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "nav_can_log": policies.can_log(user),
        "nav_dashboard": policies.sees_figures(user),
        "nav_roles": [roles.ROLE_LABELS[r] for r in sorted(user.role_names) if r in roles.ROLE_LABELS],
        "nav_reviews": policies.reviews_cases(user),
        "nav_rectification": policies.runs_rectification(user),
        # Counted only when the page shows it (a reviewer's navigation).
        "nav_reviews_open": SimpleLazyObject(lambda: selectors.review_queue(user=user).count()),
    }
