"""The business calendar (docs/rules.md §4): which days are working days."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from config import clock
from config.patches import ChoiceLabels


class CalendarYear(models.Model):
    """A year the calendar holds. Days of a year without a row here are never
    guessed from weekends silently: deadlines in it are flagged unconfirmed."""

    year = models.PositiveSmallIntegerField(_("year"), primary_key=True)
    source = models.CharField(_("source"), max_length=100)
    loaded_at = models.DateTimeField(_("loaded at"), default=clock.now, editable=False)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("calendar year")
        verbose_name_plural = _("calendar years")
        ordering = ["-year"]

    def __str__(self):
        return str(self.year)


class BusinessDay(models.Model):
    """One calendar day of a held year with its kind, name and source."""

    class Kind(models.TextChoices):
        WORKDAY = "workday", _("Working day")
        WEEKEND = "weekend", _("Weekend")
        HOLIDAY = "holiday", _("Public holiday")
        MAKEUP_WORKDAY = "makeup_workday", _("Make-up working day")

    WORKING_KINDS = (Kind.WORKDAY, Kind.MAKEUP_WORKDAY)

    date = models.DateField(_("date"), unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=100, blank=True)
    source = models.CharField(_("source"), max_length=100)

    class Meta:
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")
        ordering = ["date"]

    def __str__(self):
        return f"{self.date} {self.get_kind_display()}"

    @property
    def is_working(self) -> bool:
        return self.kind in self.WORKING_KINDS


class Alert(models.Model):
    """One row per event that must be told once (a breached deadline, a case
    becoming due soon, a batch, a missing calendar year). The unique key makes
    the sweep idempotent when two sweeps overlap or a worker dies mid-run."""

    key = models.CharField(_("key"), max_length=200, unique=True)
    complaint = models.ForeignKey("complaints.Complaint", verbose_name=_("complaint"), null=True,
                                  blank=True, on_delete=models.PROTECT, related_name="alerts")
    created_at = models.DateTimeField(_("created at"), default=clock.now, editable=False)

    class Meta:
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")

    def __str__(self):
        return self.key


class Notification(ChoiceLabels, models.Model):
    """A message to one user: shown in the app at once, and e-mailed by the
    worker (an outbox written in the transaction of the change that causes it)."""

    class Kind(models.TextChoices):
        ASSIGNED = "assigned", _("Case assigned")
        URGENT = "urgent", _("Urgent complaint")
        BATCH = "batch", _("Batch complaint")
        DUE_SOON = "due_soon", _("Deadline approaching")
        OVERDUE = "overdue", _("Deadline breached")
        CONTACT_FAILED = "contact_failed", _("Customer not reached")
        DEPARTMENT = "department", _("For your department")
        APPROVAL = "approval", _("Approval")
        CALENDAR = "calendar", _("Business calendar")
        REMINDER = "reminder", _("Reminder")
        REVIEW = "review", _("Review (核查)")

    class Email(models.TextChoices):
        PENDING = "pending", _("Waiting to be sent")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        SKIPPED = "skipped", _("No e-mail address")

    recipient = models.ForeignKey("accounts.User", verbose_name=_("recipient"), db_index=False,
                                  on_delete=models.PROTECT, related_name="notifications")  # notif_recipient_idx
    complaint = models.ForeignKey("complaints.Complaint", verbose_name=_("complaint"), null=True,
                                  blank=True, on_delete=models.PROTECT, related_name="notifications")
    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("message"), blank=True)
    # Where the task is when it is not a case (a rectification item): a path inside the product.
    link = models.CharField(_("link"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"), default=clock.now, editable=False)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    email_status = models.CharField(_("e-mail"), max_length=16, choices=Email.choices,
                                    default=Email.PENDING)
    email_attempts = models.PositiveSmallIntegerField(_("e-mail attempts"), default=0)
    emailed_at = models.DateTimeField(_("e-mailed at"), null=True, blank=True)
    email_claimed_until = models.DateTimeField(
        _("e-mail claimed until"), null=True, blank=True,
        help_text=_("A worker sending the e-mail holds it until then; no other worker takes it meanwhile."))

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        indexes = [
            # A user's list and unread count.
            models.Index(fields=["recipient", "read_at", "-created_at"], name="notif_recipient_idx"),
            # The outbox: what the worker still has to e-mail.
            models.Index(fields=["email_status", "created_at"], name="notif_outbox_idx",
                         condition=models.Q(email_status="pending")),
        ]

    def __str__(self):
        return self.title
