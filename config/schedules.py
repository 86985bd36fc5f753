"""Beat's schedules, and the slot a periodic task's tick belongs to.

A task that runs every N seconds claims its slot (Unix time // N, ops.services.slot_claim)
before it runs, so that a tick sent twice runs once. When N is a whole number of minutes
that divides an hour, beat sends the tick at the start of each slot (a crontab), not N
seconds after the last tick: a tick that a standby beat sends late, after taking over
from a dead one, still falls in its own slot instead of the next (issue 20, drill 2).
"""

from celery.schedules import crontab

SLOT_EARLY_SECONDS = 5


def every(seconds: int):
    """Beat's schedule for a task run every ``seconds``: on its slots' boundaries
    (60, 120, 300 … 3600 s), else a plain interval."""
    if seconds % 60 == 0 and 3600 % seconds == 0:
        return crontab(minute=f"*/{seconds // 60}") if seconds < 3600 else crontab(minute=0)
    return float(seconds)


def slot_of(timestamp: float, seconds: int) -> int:
    """The slot of a tick sent (or, not sent by beat, run) at ``timestamp`` (Unix
    seconds). A tick up to 5 s (at most a tenth of the period) before a slot begins
    counts for that slot: beat sends it on the boundary, and a beat or worker whose
    clock is a little behind must not take it for the slot before, which already ran."""
    early = min(SLOT_EARLY_SECONDS, seconds // 10)
    return int(timestamp + early) // seconds
