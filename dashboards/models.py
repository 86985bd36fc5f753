"""Analysis and prevention (docs/rules.md §7): what managers record besides cases."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from config import clock
from config.patches import ChoiceLabels


class RectificationItem(ChoiceLabels, models.Model):
    """缺陷清单/整改举措: a defect found through complaints and its fix."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        IN_PROGRESS = "in_progress", _("In progress")
        DONE = "done", _("Done")
        CHECKED = "checked", _("Checked")
        CANCELLED = "cancelled", _("Cancelled")

    title = models.CharField(_("defect / measure"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    org_unit = models.ForeignKey("accounts.OrgUnit", verbose_name=_("organisation unit"),
                                 on_delete=models.PROTECT, related_name="+")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.PROTECT,
                              related_name="rectification_items")
    due_date = models.DateField(_("due date"))
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.OPEN)
    complaints = models.ManyToManyField("complaints.Complaint", verbose_name=_("complaints behind it"),
                                        blank=True, related_name="rectification_items")
    created_at = models.DateTimeField(_("created at"), default=clock.now, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("opened by"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    checked_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("checked by"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("rectification item")
        verbose_name_plural = _("rectification items")
        ordering = ["status", "due_date"]

    def __str__(self):
        return self.title


class AccountabilityRecord(models.Model):
    """问责: who or which department answers for a complaint, and the action taken."""

    class Action(models.TextChoices):
        REMINDER = "reminder", _("Reminder / talk")
        CRITICISM = "criticism", _("Criticism in writing")
        WARNING = "warning", _("Warning")
        FINE = "fine", _("Performance deduction / fine")
        TRAINING = "training", _("Retraining")
        OTHER = "other", _("Other")

    complaint = models.ForeignKey("complaints.Complaint", verbose_name=_("complaint"), on_delete=models.PROTECT,
                                  related_name="accountability_records")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("person"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+")
    department = models.CharField(_("department"), max_length=100, blank=True)
    action = models.CharField(_("action"), max_length=16, choices=Action.choices)
    note = models.TextField(_("note"), blank=True)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("follow-up owner"),
                              on_delete=models.PROTECT, related_name="+")
    due_date = models.DateField(_("due date"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=RectificationItem.Status.choices,
                              default=RectificationItem.Status.OPEN)
    created_at = models.DateTimeField(_("created at"), default=clock.now, editable=False)

    class Meta:
        verbose_name = _("accountability record")
        verbose_name_plural = _("accountability records")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=~models.Q(person__isnull=True, department=""),
                                   name="accountability_names_someone"),
        ]

    def __str__(self):
        return f"{self.complaint_id} {self.get_action_display()}"


class PremiumFigure(models.Model):
    """Premium or revenue of a unit in a month, for complaints per 100 million
    CNY (亿元保费投诉量)."""

    org_unit = models.ForeignKey("accounts.OrgUnit", verbose_name=_("organisation unit"),
                                 on_delete=models.PROTECT, related_name="+")
    month = models.DateField(_("month"), help_text=_("The first day of the month."))
    amount = models.DecimalField(_("premium / revenue (CNY)"), max_digits=18, decimal_places=2)

    class Meta:
        verbose_name = _("premium figure")
        verbose_name_plural = _("premium figures")
        ordering = ["-month", "org_unit"]
        constraints = [
            models.UniqueConstraint(fields=["org_unit", "month"], name="premium_unit_month"),
            models.CheckConstraint(condition=models.Q(amount__gte=0), name="premium_not_negative"),
            models.CheckConstraint(condition=models.Q(month__day=1), name="premium_month_first_day"),
        ]

    def __str__(self):
        return f"{self.org_unit.code} {self.month:%Y-%m} {self.amount}"


# --- Roll-ups (dashboards/rollups.py) ------------------------------------------------------

class FigureCell(models.Model):
    """The counts (dashboards.counting) of the cases received on one day
    (Asia/Shanghai) in one unit: its own cases, or with ``subtree`` the unit's
    and every unit's below it; ``span`` month sums a month's day cells. Kept by
    ``rollups.fold`` from the cases; never edited by hand."""

    class Span(models.TextChoices):
        DAY = "d", _("day")
        MONTH = "m", _("month")

    org_unit = models.ForeignKey("accounts.OrgUnit", on_delete=models.CASCADE, related_name="+")
    subtree = models.BooleanField(default=False)
    span = models.CharField(max_length=1, choices=Span.choices, default=Span.DAY)
    day = models.DateField()
    # The scalar counts (dashboards.counting.SCALARS), as columns so per-unit sums are one query.
    total = models.IntegerField(default=0)
    callback_counted = models.IntegerField(default=0)
    callback_on_time = models.IntegerField(default=0)
    resolution_counted = models.IntegerField(default=0)
    resolution_on_time = models.IntegerField(default=0)
    resolved = models.IntegerField(default=0)
    resolved_once = models.IntegerField(default=0)
    one_time = models.IntegerField(default=0)
    invalid = models.IntegerField(default=0)
    overdue = models.IntegerField(default=0)
    revisit_counted = models.IntegerField(default=0)
    revisit_on_time = models.IntegerField(default=0)
    reply_counted = models.IntegerField(default=0)
    reply_on_time = models.IntegerField(default=0)
    revisited = models.IntegerField(default=0)
    reached = models.IntegerField(default=0)
    satisfied = models.IntegerField(default=0)
    promised_counted = models.IntegerField(default=0)
    promised_kept = models.IntegerField(default=0)
    decisions_told = models.IntegerField(default=0)
    reviews = models.IntegerField(default=0)
    reviews_decided = models.IntegerField(default=0)
    reviews_changed = models.IntegerField(default=0)
    repeat = models.IntegerField(default=0, db_default=0)
    dims = models.JSONField(default=dict)  # the dimensions' counts (dashboards.counting.DIMS)
    # The earliest deadline ahead among the cell's cases (a day cell of one unit): counted again then.
    stale_at = models.DateTimeField(null=True, blank=True)
    counted_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["org_unit", "subtree", "span", "day"], name="figure_cell")]
        indexes = [models.Index(fields=["stale_at"], name="figure_cell_stale",
                                condition=models.Q(stale_at__isnull=False)),
                   # the fold sums a day's cells of every unit
                   models.Index(fields=["day", "span", "subtree"], name="figure_cell_day")]

    def __str__(self):
        return f"{self.org_unit_id} {self.span} {self.day}"


class FigureChange(models.Model):
    """A case whose counts may have changed: written by database triggers on
    the case and the rows its figures read (migration 0004), so every write
    is seen, ``update()`` and the admin included. ``org_unit_id`` and
    ``received_at`` are the case's before an update (its cell then), or null."""

    complaint_id = models.BigIntegerField()
    org_unit_id = models.BigIntegerField(null=True)
    received_at = models.DateTimeField(null=True)


class FigureFold(models.Model):
    """The roll-ups' state (one row): when they were last brought up to date."""

    folded_at = models.DateTimeField(null=True)
    built_at = models.DateTimeField(null=True)
