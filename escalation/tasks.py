"""Celery tasks: thin callers of the services (STYLE.md §5)."""

from celery import shared_task

from escalation.delivery import deliver_all_pending


@shared_task(acks_late=True, ignore_result=True)
def deliver_notifications() -> int:
    return deliver_all_pending()
