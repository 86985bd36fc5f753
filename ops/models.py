"""What the running product records about itself (no personal data)."""

from django.db import models


class Heartbeat(models.Model):
    """When a periodic job last finished (``sweep``: the deadline sweep). GET
    /healthz answers 503 when the sweep's is too old: beat or the workers stopped."""

    name = models.CharField(max_length=50, primary_key=True)
    at = models.DateTimeField()

    def __str__(self):
        return f"{self.name} {self.at:%Y-%m-%d %H:%M:%S}"


class PeriodicSlot(models.Model):
    """The last schedule slot a periodic task ran in (slot = Unix time // period).
    Of several messages for one slot (two schedulers sending the same tick) the
    first to claim it with a conditional UPDATE runs and the others stop; a
    message redelivered after its worker died keeps its claim (same task id)."""

    name = models.CharField(max_length=50, primary_key=True)
    slot = models.BigIntegerField()
    task_id = models.CharField(max_length=64, blank=True)
    claimed_at = models.DateTimeField()

    def __str__(self):
        return f"{self.name} #{self.slot}"
