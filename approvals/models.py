"""Approval of remedies (docs/rules.md §5): tiers as data, chains as snapshots."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.roles import APPROVING, ROLE_LABELS
from config import clock
from config.patches import ChoiceLabels


class ApprovalTier(models.Model):
    """Amounts from ``min_amount`` (inclusive) up to ``max_amount`` (exclusive;
    empty = no upper bound) are approved by the tier's steps, in order."""

    name = models.CharField(_("name"), max_length=100)
    min_amount = models.DecimalField(_("from (inclusive)"), max_digits=14, decimal_places=2)
    max_amount = models.DecimalField(_("up to (exclusive)"), max_digits=14, decimal_places=2,
                                     null=True, blank=True)

    class Meta:
        verbose_name = _("approval tier")
        verbose_name_plural = _("approval tiers")
        ordering = ["min_amount"]
        constraints = [
            models.UniqueConstraint(fields=["min_amount"], name="tier_min_unique"),
            models.CheckConstraint(
                condition=models.Q(max_amount__isnull=True) | models.Q(max_amount__gt=models.F("min_amount")),
                name="tier_bounds_ordered",
            ),
        ]

    def __str__(self):
        upper = f"{self.max_amount:,.2f}" if self.max_amount is not None else "∞"
        return f"{self.name} [{self.min_amount:,.2f}, {upper})"

    def clean(self):
        """§5: tiers never overlap, so every amount routes to exactly one."""
        if self.min_amount is None or (self.max_amount is not None and self.max_amount <= self.min_amount):
            return  # the field checks and the database constraint speak for these
        others = ApprovalTier.objects.exclude(pk=self.pk).filter(
            models.Q(max_amount__isnull=True) | models.Q(max_amount__gt=self.min_amount))
        if self.max_amount is not None:
            others = others.filter(min_amount__lt=self.max_amount)
        clash = others.order_by("min_amount").first()
        if clash is not None:
            raise ValidationError(_("This range overlaps the tier “%(tier)s”; each amount must fall in "
                                    "exactly one tier.") % {"tier": clash})


class TierStep(models.Model):
    tier = models.ForeignKey(ApprovalTier, verbose_name=_("tier"), on_delete=models.CASCADE,
                             related_name="steps")
    position = models.PositiveSmallIntegerField(_("order"))
    role = models.CharField(_("role"), max_length=32,
                            choices=[(role, ROLE_LABELS[role]) for role in APPROVING])

    class Meta:
        verbose_name = _("tier step")
        verbose_name_plural = _("tier steps")
        ordering = ["tier", "position"]
        constraints = [models.UniqueConstraint(fields=["tier", "position"], name="tier_step_position")]

    def __str__(self):
        return f"{self.position}. {self.get_role_display()}"


class ApprovalChain(ChoiceLabels, models.Model):
    """The chain of one proposal: a snapshot of the tier when it was proposed."""

    class Status(models.TextChoices):
        PENDING = "pending", _("In approval")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    complaint = models.ForeignKey("complaints.Complaint", verbose_name=_("complaint"),
                                  on_delete=models.PROTECT, related_name="approval_chains")
    amount = models.DecimalField(_("amount the company bears"), max_digits=14, decimal_places=2)
    remedy = models.TextField(_("remedy"))
    # Who the remedy is paid to (收款人): finance pays to this account; others see it masked.
    payee_name = models.CharField(_("payee name (户名)"), max_length=100, blank=True)
    payee_bank = models.CharField(_("payee's bank (开户行)"), max_length=100, blank=True)
    payee_account = models.CharField(_("payee's account number (账号)"), max_length=34, blank=True)
    tier_name = models.CharField(_("tier"), max_length=100)
    step_count = models.PositiveSmallIntegerField(_("steps"))
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("proposed by"),
                                    on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("proposed at"), default=clock.now, editable=False)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PENDING)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("approval chain")
        verbose_name_plural = _("approval chains")
        ordering = ["-created_at", "-pk"]
        constraints = [
            # At most one running chain per case.
            models.UniqueConstraint(fields=["complaint"], condition=models.Q(status="pending"),
                                    name="one_pending_chain_per_case"),
        ]

    def __str__(self):
        return f"{self.complaint_id} {self.amount} {self.status}"


class ApprovalStep(ChoiceLabels, models.Model):
    class Status(models.TextChoices):
        WAITING = "waiting", _("Waiting for earlier steps")
        PENDING = "pending", _("Pending")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        CANCELLED = "cancelled", _("Cancelled")

    chain = models.ForeignKey(ApprovalChain, verbose_name=_("chain"), on_delete=models.PROTECT,
                              related_name="steps", db_index=False)  # chain_step_position leads with it
    position = models.PositiveSmallIntegerField(_("order"))
    role = models.CharField(_("role"), max_length=32, choices=list(ROLE_LABELS.items()))
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.WAITING)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("decided by"), null=True,
                                   blank=True, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        verbose_name = _("approval step")
        verbose_name_plural = _("approval steps")
        ordering = ["chain", "position"]
        constraints = [
            models.UniqueConstraint(fields=["chain", "position"], name="chain_step_position"),
            # A user decides at most one step of a chain (separation of duties).
            models.UniqueConstraint(fields=["chain", "decided_by"], name="one_step_per_approver",
                                    condition=models.Q(decided_by__isnull=False)),
        ]
        indexes = [
            # The approval queue: pending steps by role.
            models.Index(fields=["role", "status"], name="step_queue_idx",
                         condition=models.Q(status="pending")),
        ]

    def __str__(self):
        return f"{self.chain_id}#{self.position} {self.role} {self.status}"


class Payment(models.Model):
    """财务付费: the approved amount paid, with its reference."""

    chain = models.OneToOneField(ApprovalChain, verbose_name=_("approval chain"),
                                 on_delete=models.PROTECT, related_name="payment")
    complaint = models.ForeignKey("complaints.Complaint", verbose_name=_("complaint"),
                                  on_delete=models.PROTECT, related_name="payments")
    reference = models.CharField(_("payment reference"), max_length=100)
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)
    paid_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("paid by"),
                                on_delete=models.PROTECT, related_name="+")
    paid_at = models.DateTimeField(_("paid at"), default=clock.now, editable=False)

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["-paid_at"]

    def __str__(self):
        return f"{self.reference} {self.amount}"
