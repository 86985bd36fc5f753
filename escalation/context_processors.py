"""The navigation's count of unread notifications, on every page."""

from escalation.selectors import unread_count


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"nav_unread": unread_count(user=user)}
