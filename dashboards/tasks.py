"""Celery tasks: thin callers of the services (STYLE.md §5)."""

from celery import shared_task

from dashboards import prevention, rollups, warnings
from ops.services import tick_claim


@shared_task(bind=True, acks_late=True, ignore_result=True)
def warn_spikes(self, slot: int | None = None) -> int:
    """Beat passes ``slot``: one run per slot however many schedulers sent it."""
    if slot and not tick_claim(self.request, name="warn-spikes", seconds=slot):
        return 0
    return warnings.warn_spikes()


@shared_task(bind=True, acks_late=True, ignore_result=True)
def fold_figures(self, slot: int | None = None) -> int:
    """Beat: fold the cases' changes into the figures' roll-ups (dashboards.rollups)."""
    if slot and not tick_claim(self.request, name="fold-figures", seconds=slot):
        return 0
    return rollups.fold()


@shared_task(bind=True, acks_late=True, ignore_result=True)
def warn_overdue_items(self, slot: int | None = None) -> int:
    """Beat: overdue rectification items told once (dashboards.prevention)."""
    if slot and not tick_claim(self.request, name="warn-overdue-items", seconds=slot):
        return 0
    return prevention.warn_overdue_items()
