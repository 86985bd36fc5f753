"""What happens around a case: its history (docs/rules.md §6), contact
attempts (§4), evidence (§2) and who saw its personal data."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from complaints.models.record import Complaint
from config import clock
from config.patches import ChoiceLabels


class HistoryEntry(models.Model):
    """One transition of one case: who, when, from, to and why. Append-only."""

    # Indexed by hist_complaint_at_idx (complaint, at): a second index on the
    # column alone only cost every one of millions of inserts.
    complaint = models.ForeignKey(Complaint, verbose_name=_("complaint"), on_delete=models.PROTECT,
                                  related_name="history", db_index=False)
    transition = models.CharField(_("transition"), max_length=32)
    from_state = models.CharField(_("from"), max_length=16)
    to_state = models.CharField(_("to"), max_length=16)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True,
                           on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("at"), default=clock.now, editable=False)
    comment = models.TextField(_("comment"), blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)
    seconds_in_from_state = models.PositiveBigIntegerField(
        _("time in the previous state (seconds)"), null=True, blank=True,
        help_text=_("Set when the state changed; averages of it give the time spent in each state."),
    )

    class Meta:
        verbose_name = _("history entry")
        verbose_name_plural = _("history")
        ordering = ["at", "pk"]
        indexes = [
            # A case's timeline, oldest first.
            models.Index(fields=["complaint", "at"], name="hist_complaint_at_idx"),
        ]

    def __str__(self):
        return f"{self.complaint_id} {self.transition} {self.from_state}→{self.to_state}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("History entries are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("History entries are never deleted.")


class ContactAttempt(ChoiceLabels, models.Model):
    """One attempt to reach the customer (§4 contact)."""

    class Outcome(models.TextChoices):
        REACHED = "reached", _("Reached")
        NO_ANSWER = "no_answer", _("No answer")
        BUSY = "busy", _("Busy")
        UNREACHABLE = "unreachable", _("Unreachable")

    complaint = models.ForeignKey(Complaint, verbose_name=_("complaint"), on_delete=models.PROTECT,
                                  related_name="contacts", db_index=False)  # contact_complaint_at_idx
    at = models.DateTimeField(_("at"))
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices)
    note = models.TextField(_("note"), blank=True)
    promised_callback_at = models.DateTimeField(
        _("next call promised for"), null=True, blank=True,
        help_text=_("The time the customer was told to expect the next call (下次回电时间)."),
    )
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("by"),
                           on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("recorded at"), default=clock.now, editable=False)

    class Meta:
        verbose_name = _("contact attempt")
        verbose_name_plural = _("contact attempts")
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["complaint", "at"], name="contact_complaint_at_idx")]

    def __str__(self):
        return f"{self.complaint_id} {self.outcome} {self.at:%Y-%m-%d %H:%M}"


def attachment_path(instance, filename):
    return f"attachments/{clock.now():%Y/%m}/{instance.complaint_id}/{filename}"


class Attachment(ChoiceLabels, models.Model):
    """Evidence: call recordings, policy images, receipts, photos."""

    class Kind(models.TextChoices):
        RECORDING = "recording", _("Call recording")
        POLICY_IMAGE = "policy_image", _("Policy image")
        RECEIPT = "receipt", _("Receipt")
        PHOTO = "photo", _("Photo")
        DOCUMENT = "document", _("Document")
        REPLY = "reply", _("Reply to the forwarding body")
        OTHER = "other", _("Other")

    complaint = models.ForeignKey(Complaint, verbose_name=_("complaint"), on_delete=models.PROTECT,
                                  related_name="attachments")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.OTHER)
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=300)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"),
                                    on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(_("uploaded at"), default=clock.now, editable=False)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["uploaded_at", "pk"]

    def __str__(self):
        return self.original_name


class PersonalDataAccess(models.Model):
    """Who saw a complainant's full phone or ID number, when and where (audit)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.PROTECT,
                             related_name="+")
    complaint = models.ForeignKey(Complaint, verbose_name=_("complaint"), on_delete=models.PROTECT,
                                  related_name="personal_data_accesses", db_index=False,  # pda_complaint_at_idx
                                  null=True, blank=True, help_text=_("Empty for a search by number."))
    channel = models.CharField(_("where"), max_length=32)
    searched = models.CharField(_("number searched (masked)"), max_length=40, blank=True)
    at = models.DateTimeField(_("at"), default=clock.now, editable=False)

    class Meta:
        verbose_name = _("personal data access")
        verbose_name_plural = _("personal data accesses")
        ordering = ["-at", "-pk"]
        indexes = [
            # "Who looked at this complainant's data?"
            models.Index(fields=["complaint", "at"], name="pda_complaint_at_idx"),
        ]

    def __str__(self):
        return f"{self.user_id} {self.complaint_id} {self.channel}"
