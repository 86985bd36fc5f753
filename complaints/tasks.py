"""Celery tasks: thin callers of the services (STYLE.md §5)."""

from celery import shared_task

from complaints import notice_delivery
from complaints.sweep import sweep
from ops.services import heartbeat_record, slot_claim


@shared_task(bind=True, acks_late=True, ignore_result=True)
def sweep_deadlines(self, slot: int | None = None) -> dict:
    """Beat passes ``slot`` (its period, seconds): of the messages of one slot
    only the first sweeps (ops.services.slot_claim), so two schedulers sending
    the same tick sweep once. The finished sweep is recorded for GET /healthz."""
    if slot and not slot_claim(name="sweep-deadlines", seconds=slot, task_id=self.request.id):
        return {"skipped": True}
    result = sweep()
    heartbeat_record(name="sweep")
    return {"cases": result.cases, "due_soon": result.due_soon, "overdue": result.overdue}


@shared_task(bind=True, acks_late=True, ignore_result=True)
def deliver_notices(self, slot: int | None = None) -> int:
    """The customer notices' outbox (complaints/notice_delivery.py): after a
    notice is queued, and from beat every minute for what is left or retried."""
    if slot and not slot_claim(name="deliver-notices", seconds=slot, task_id=self.request.id):
        return 0
    return notice_delivery.deliver_due()
