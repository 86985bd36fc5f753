"""Telling the customer (告知, docs/rules.md §8): every decision the customer
must hear is recorded as a notice; SMS and e-mail leave through an outbox."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from complaints.models.record import Complaint
from config import clock
from config.patches import ChoiceLabels


class NoticeKind(models.TextChoices):
    ACKNOWLEDGEMENT = "acknowledgement", _("Acknowledgement (受理回执)")
    INVALID = "invalid", _("Closed as invalid")
    EXTENSION = "extension", _("Extension")
    PAUSE = "pause", _("Pause")
    RESUME = "resume", _("Resume")
    DECISION = "decision", _("Decision (处理决定)")
    REVIEW_OUTCOME = "review_outcome", _("Review outcome")
    OTHER = "other", _("Other")


class NoticeChannel(models.TextChoices):
    PHONE = "phone", _("Phone")
    SMS = "sms", _("SMS")
    LETTER = "letter", _("Letter")
    EMAIL = "email", _("E-mail")
    IN_PERSON = "in_person", _("In person")
    WECHAT = "wechat", _("WeChat")


# Sent by the product through a gateway (an outbox); the others are told by staff and recorded.
SENT_CHANNELS = frozenset({NoticeChannel.SMS, NoticeChannel.EMAIL})


class Notice(ChoiceLabels, models.Model):
    """One thing the customer was told, or is being sent."""

    class Status(models.TextChoices):
        RECORDED = "recorded", _("Recorded")
        QUEUED = "queued", _("Queued")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    complaint = models.ForeignKey(Complaint, verbose_name=_("complaint"), on_delete=models.PROTECT,
                                  related_name="notices", db_index=False)  # notice_complaint_at_idx
    kind = models.CharField(_("kind"), max_length=24, choices=NoticeKind.choices)
    channel = models.CharField(_("channel"), max_length=16, choices=NoticeChannel.choices)
    to = models.CharField(_("addressee"), max_length=200, blank=True)
    content = models.TextField(_("content"))
    at = models.DateTimeField(_("at"), default=clock.now)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, blank=True,
                           on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.RECORDED)
    attempts = models.PositiveSmallIntegerField(_("delivery attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True)
    claimed_until = models.DateTimeField(_("claimed until"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    error = models.CharField(_("last error"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("notice to the customer")
        verbose_name_plural = _("notices to the customer")
        ordering = ["at", "pk"]
        indexes = [
            # A case's notices on its timeline, and "was it told since …?"
            models.Index(fields=["complaint", "at"], name="notice_complaint_at_idx"),
            # The delivery task: what is due to be sent (small: most notices are sent or recorded).
            models.Index(fields=["next_attempt_at"], name="notice_outbox_idx",
                         condition=models.Q(status__in=["queued", "sending"])),
        ]

    def __str__(self):
        return f"{self.complaint_id} {self.kind} {self.channel}"


class NoticeTemplate(models.Model):
    """The words of each kind of notice, edited in the admin. Placeholders in
    ``{name}`` form are filled from the case (complaints/notices.py)."""

    kind = models.CharField(_("kind"), max_length=24, choices=NoticeKind.choices, unique=True)
    text = models.TextField(_("text"))

    class Meta:
        verbose_name = _("notice template")
        verbose_name_plural = _("notice templates")
        ordering = ["kind"]

    def __str__(self):
        return self.get_kind_display()
