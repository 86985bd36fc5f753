from celery import shared_task


@shared_task(bind=True, acks_late=True, ignore_result=True)
def warn_spikes(self, slot: int | None = None) -> int:
    """Beat passes ``slot``: one run per slot however many schedulers sent it."""
    from dashboards.warnings import warn_spikes as run
    from ops.services import slot_claim

    if slot and not slot_claim(name="warn-spikes", seconds=slot, task_id=self.request.id):
        return 0
    return run()


@shared_task(bind=True, acks_late=True, ignore_result=True)
def refresh_figures(self, slot: int | None = None) -> int:
    """Beat: recompute last month's figures of every unit (dashboards.rollups)."""
    from dashboards.rollups import refresh
    from ops.services import slot_claim

    if slot and not slot_claim(name="refresh-figures", seconds=slot, task_id=self.request.id):
        return 0
    return refresh()
