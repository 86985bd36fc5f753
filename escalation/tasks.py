"""Celery tasks: thin callers of the services (STYLE.md §5)."""

from celery import shared_task


@shared_task(acks_late=True, ignore_result=True)
def sweep_deadlines() -> dict:
    from escalation.sweep import sweep

    result = sweep()
    return {"cases": result.cases, "due_soon": result.due_soon, "overdue": result.overdue}


@shared_task(acks_late=True, ignore_result=True)
def deliver_notifications() -> int:
    from escalation.notifications import deliver_pending

    return deliver_pending()
