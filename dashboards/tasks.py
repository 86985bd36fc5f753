from celery import shared_task


@shared_task(acks_late=True, ignore_result=True)
def warn_spikes() -> int:
    from dashboards.warnings import warn_spikes as run

    return run()
