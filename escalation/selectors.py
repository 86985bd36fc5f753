from escalation.models import Notification


def notifications_for(*, user):
    """A user's own notifications, newest first. Nobody reads anyone else's."""
    return Notification.objects.filter(recipient=user).select_related("complaint").order_by("-created_at", "-pk")


def unread_count(*, user) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()
