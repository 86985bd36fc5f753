"""Review (核查, docs/rules.md §8): the customer asks the unit above to look at
a decision again; it upholds or changes it."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from complaints.models.notices import Notice
from complaints.models.record import Complaint
from config import clock
from config.patches import ChoiceLabels


class Review(ChoiceLabels, models.Model):
    class State(models.TextChoices):
        OPEN = "open", _("Open")
        DECIDED = "decided", _("Decided")

    class Outcome(models.TextChoices):
        UPHELD = "upheld", _("Decision upheld (维持原决定)")
        CHANGED = "changed", _("Decision changed (变更)")

    complaint = models.ForeignKey(Complaint, verbose_name=_("complaint"), on_delete=models.PROTECT,
                                  related_name="reviews")
    decision_notice = models.OneToOneField(
        Notice, verbose_name=_("decision reviewed"), on_delete=models.PROTECT, related_name="review",
        help_text=_("One review per decision."))
    reason = models.TextField(_("why the customer asks"))
    requested_at = models.DateTimeField(_("requested at"))
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("recorded by"),
                                     on_delete=models.PROTECT, related_name="+")
    due = models.DateTimeField(_("due"))
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("reviewer"), null=True, blank=True,
                              on_delete=models.PROTECT, related_name="reviews_owned")
    owner_unit = models.ForeignKey("accounts.OrgUnit", verbose_name=_("reviewing unit"),
                                   on_delete=models.PROTECT, related_name="+")
    state = models.CharField(_("state"), max_length=16, choices=State.choices, default=State.OPEN)
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("decided by"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_reason = models.TextField(_("reasons of the review"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=clock.now, editable=False)

    class Meta:
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        ordering = ["due", "pk"]
        indexes = [
            # The reviewers' queue: open reviews, earliest due first.
            models.Index(fields=["owner_unit", "due"], name="review_queue_idx",
                         condition=models.Q(state="open")),
        ]

    def __str__(self):
        return f"{self.complaint_id} {self.state} {self.outcome}"
