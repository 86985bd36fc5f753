"""Writes of the ops app: heartbeats and slot claims of the periodic tasks.

A periodic task stays thin (STYLE.md §5): it claims its slot, calls its
service, records its heartbeat::

    if slot and not tick_claim(self.request, name="sweep-deadlines", seconds=slot):
        return {"skipped": True}
    ...
    heartbeat_record(name="sweep")
"""

import datetime as dt
import logging

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q

from config import clock
from config.schedules import slot_of
from ops.models import Heartbeat, PeriodicSlot

log = logging.getLogger(__name__)


def heartbeat_record(*, name: str, at: dt.datetime | None = None) -> None:
    """Record that the periodic job ``name`` has just finished (one upsert)."""
    Heartbeat.objects.bulk_create([Heartbeat(name=name, at=at or clock.now())],
                                  update_conflicts=True, unique_fields=["name"], update_fields=["at"])


def slot_claim(*, name: str, seconds: int, task_id: str | None = None, now: dt.datetime | None = None) -> bool:
    """True when this message may run the periodic task ``name``: it is the first
    of the current slot (Unix time // ``seconds``), or the same message again
    (redelivered after its worker died, same ``task_id``). False for any other
    message of a slot already claimed, e.g. the same tick sent by a second beat.

    One conditional UPDATE decides, as healthchecks' sendalerts claims a check,
    so any number of workers at once get one True per slot. Relies on the
    clocks that give ``now`` (the beats', see ``tick_claim``) agreeing within 5 s (NTP)."""
    now = now or clock.now()
    slot = slot_of(now.timestamp(), seconds)
    mine = Q(slot__lt=slot) | Q(slot=slot, task_id=task_id) if task_id else Q(slot__lt=slot)
    claimed = PeriodicSlot.objects.filter(mine, name=name).update(slot=slot, task_id=task_id or "", claimed_at=now)
    if not claimed:
        try:
            with transaction.atomic():
                PeriodicSlot.objects.create(name=name, slot=slot, task_id=task_id or "", claimed_at=now)
            claimed = 1
        except IntegrityError:  # the row exists: this slot (or a later one) is taken
            claimed = 0
    extra = {"periodic": name, "slot": slot}
    if claimed:
        log.info("periodic slot claimed", extra=extra)
    else:
        log.info("periodic slot already taken, not run", extra=extra)
    return bool(claimed)


def tick_sent_at(request, name: str) -> dt.datetime | None:
    """When beat sent this message of the periodic task ``name``, by beat's clock: the
    message's expiry less its schedule entry's ``expires`` (settings.CELERY_BEAT_SCHEDULE).
    None for a message that beat did not send (no expiry: a run by hand, a test)."""
    expires = getattr(request, "expires", None)
    option = settings.CELERY_BEAT_SCHEDULE.get(name, {}).get("options", {}).get("expires")
    if not expires or option is None:
        return None
    at = expires if isinstance(expires, dt.datetime) else dt.datetime.fromisoformat(str(expires))
    return (at if at.tzinfo else at.replace(tzinfo=dt.timezone.utc)) - dt.timedelta(seconds=option)


def tick_claim(request, *, name: str, seconds: int) -> bool:
    """``slot_claim`` for a message of a periodic task: the slot it was sent for, not the
    one its worker is in when it runs. A tick the standby beat sent late, after taking over,
    that then waited in the queue past its minute, still runs for its own minute and does
    not take the next one's."""
    return slot_claim(name=name, seconds=seconds, task_id=request.id, now=tick_sent_at(request, name))
