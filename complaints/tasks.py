"""Celery tasks: thin callers of the services (STYLE.md §5)."""

import logging
import time

from celery import shared_task

from complaints import notice_delivery
from complaints.services import grouping
from complaints.sweep import sweep
from ops.services import heartbeat_record, tick_claim

log = logging.getLogger(__name__)
_last_queued = [0.0]


@shared_task(bind=True, acks_late=True, ignore_result=True)
def sweep_deadlines(self, slot: int | None = None) -> dict:
    """Beat passes ``slot`` (its period, seconds): of the messages of one slot
    only the first sweeps (ops.services.slot_claim), so two schedulers sending
    the same tick sweep once. The finished sweep is recorded for GET /healthz."""
    if slot and not tick_claim(self.request, name="sweep-deadlines", seconds=slot):
        return {"skipped": True}
    result = sweep()
    heartbeat_record(name="sweep")
    return {"cases": result.cases, "due_soon": result.due_soon, "overdue": result.overdue}


@shared_task(bind=True, acks_late=True, ignore_result=True)
def group_alike(self, slot: int | None = None) -> int:
    """The near-duplicate check of the complaints logged without an issue tag
    (complaints/services/grouping.py): queued by the intake, and from beat for
    what the queue missed."""
    if slot and not tick_claim(self.request, name="group-alike", seconds=slot):
        return 0
    return grouping.check_pending()


@shared_task(bind=True, acks_late=True, ignore_result=True)
def learn_likeness_weights(self, slot: int | None = None) -> int:
    """The tokens' weights of complaints/likeness.py, learnt again from the latest complaints."""
    if slot and not tick_claim(self.request, name="learn-likeness-weights", seconds=slot):
        return 0
    learnt = grouping.learn_weights()
    return learnt.cases if learnt else 0


@shared_task(bind=True, acks_late=True, ignore_result=True)
def deliver_notices(self, slot: int | None = None) -> int:
    """The customer notices' outbox (complaints/notice_delivery.py): after a
    notice is queued, and from beat every minute for what is left or retried."""
    if slot and not tick_claim(self.request, name="deliver-notices", seconds=slot):
        return 0
    return notice_delivery.deliver_due()


def ask_soon(task, last: list[float], what: str) -> bool:
    """Queue ``task`` after a commit, at most once a second per process (``last``:
    when this process last asked): one run does everything waiting, so a burst
    asks once, and beat runs it for whatever is left. False when not asked, or
    when the broker is down (logged; beat runs it then)."""
    if time.monotonic() - last[0] < 1.0:
        return False
    last[0] = time.monotonic()
    try:
        task.apply_async(retry=False)
    except Exception as exc:  # noqa: BLE001 - any broker failure: beat runs it
        log.warning("Could not queue %s (%s); the next scheduled run will do it.", what, exc)
        return False
    return True


def queue_group_check() -> bool:
    """After an intake without an issue tag: ask a worker for the near-duplicate check."""
    return ask_soon(group_alike, _last_queued, "the near-duplicate check")
