"""Near-duplicate complaints joined into one issue without a tag (issue 19,
complaints/services/grouping.py)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class IssueGroup(models.Model):
    """Complaints of one unit, category and day whose texts are near-duplicates:
    one issue, as a shared issue tag makes one (``tag`` is written on each
    member), so the batch rule counts them. Suggested by the system; a
    supervisor confirms it or splits cases off."""

    org_unit = models.ForeignKey("accounts.OrgUnit", on_delete=models.PROTECT, related_name="+")
    category = models.ForeignKey("complaints.Category", on_delete=models.PROTECT, related_name="+")
    day = models.DateField(_("day"))
    tag = models.CharField(_("issue tag"), max_length=100, unique=True)
    leader = models.ForeignKey("complaints.Complaint", on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("first complaint"))
    created_at = models.DateTimeField(_("created at"))
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+", verbose_name=_("confirmed by"))

    class Meta:
        verbose_name = _("group of near-duplicate complaints")
        verbose_name_plural = _("groups of near-duplicate complaints")

    def __str__(self):
        return self.tag


class GroupDecision(models.Model):
    """Every decision on a group, the system's and the supervisors': a case
    joined (with its likeness to the case it is most alike), the group
    confirmed, a case split off."""

    class Kind(models.TextChoices):
        JOINED = "joined", _("joined by the system")
        CONFIRMED = "confirmed", _("confirmed")
        SPLIT = "split", _("split off")

    group = models.ForeignKey(IssueGroup, on_delete=models.CASCADE, related_name="decisions")
    complaint = models.ForeignKey("complaints.Complaint", on_delete=models.CASCADE, related_name="group_decisions")
    kind = models.CharField(_("decision"), max_length=10, choices=Kind.choices)
    likeness = models.FloatField(_("likeness"), null=True, blank=True)
    alike = models.ForeignKey("complaints.Complaint", null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+", verbose_name=_("most alike"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                           related_name="+")
    at = models.DateTimeField()
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["complaint", "kind"], name="group_decision_case")]
