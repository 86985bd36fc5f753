"""Counters and keys kept per day or per client: numbers, batches, intake keys."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from complaints.models.record import Category, Complaint
from config import clock


class IntakeKey(models.Model):
    """One intake's key, chosen by the client (the API's Idempotency-Key) or by
    the intake form (its one-time token): a repeated intake with the same key by
    the same user answers the complaint the first one created, so a desk that
    retries after a lost answer never logs the complaint twice."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.PROTECT,
                             related_name="+", db_index=False)  # intake_key_unique leads with it
    key = models.CharField(_("key"), max_length=64)
    complaint = models.ForeignKey(Complaint, verbose_name=_("complaint"), on_delete=models.PROTECT,
                                  related_name="+", null=True)
    created_at = models.DateTimeField(_("created at"), default=clock.now, editable=False)

    class Meta:
        verbose_name = _("intake key")
        verbose_name_plural = _("intake keys")
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="intake_key_unique")]

    def __str__(self):
        return f"{self.user_id} {self.key}"


class NumberSequence(models.Model):
    """The last complaint number issued per day; incremented atomically."""

    day = models.DateField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("number sequence")
        verbose_name_plural = _("number sequences")


class BatchCounter(models.Model):
    """Complaints per day, category and issue tag, incremented atomically at
    intake: the batch rule (§3 rule 4) holds under concurrent intake."""

    day = models.DateField()
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="+")
    issue_tag = models.CharField(max_length=100)
    count = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("batch counter")
        verbose_name_plural = _("batch counters")
        constraints = [models.UniqueConstraint(fields=["day", "category", "issue_tag"], name="batch_counter_key")]
