from django.contrib import admin
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet
from django.utils.translation import gettext_lazy as _

from approvals.models import ApprovalChain, ApprovalStep, ApprovalTier, Payment, TierStep
from complaints.selectors import of_visible_complaints
from config.admin_utils import LargeTableAdmin, ReadOnlyAdmin, choices_filter


class StepFormSet(BaseInlineFormSet):
    def clean(self):
        super().clean()
        if any(self.errors):
            return  # each row's own errors are shown on it (an empty step row: "this field is required")
        kept = [f for f in self.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")]
        if not kept:
            raise ValidationError(_("A tier needs at least one approval step."))
        positions = sorted(f.cleaned_data["position"] for f in kept)
        if positions != list(range(1, len(kept) + 1)):
            raise ValidationError(_("Number the steps 1, 2, 3… without gaps."))


class TierStepInline(admin.TabularInline):
    model = TierStep
    formset = StepFormSet
    extra = 0
    min_num = 1


@admin.register(ApprovalTier)
class ApprovalTierAdmin(admin.ModelAdmin):
    """Editing a tier changes the chains of new proposals only; running chains
    keep the steps they were created with."""

    list_display = ["name", "min_amount", "max_amount", "step_roles"]
    inlines = [TierStepInline]

    @admin.display(description=_("steps"))
    def step_roles(self, obj):
        return " → ".join(str(s.get_role_display()) for s in obj.steps.all())

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("steps")


class StepInline(admin.TabularInline):
    model = ApprovalStep
    fields = ["position", "role", "status", "decided_by", "decided_at", "comment"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("decided_by")


def _tier_names():
    names = ApprovalTier.objects.order_by("min_amount").values_list("name", flat=True)
    return [(name, name) for name in dict.fromkeys(names)]


@admin.register(ApprovalChain)
class ApprovalChainAdmin(LargeTableAdmin, ReadOnlyAdmin):
    list_display = ["complaint", "amount", "tier_name", "status", "proposed_by", "created_at"]
    # the tiers of today, not a DISTINCT over every chain
    list_filter = ["status", choices_filter("tier_name", ApprovalChain._meta.get_field("tier_name").verbose_name,
                                            _tier_names)]
    search_fields = ["=complaint__number"]
    list_select_related = ["complaint", "proposed_by"]
    inlines = [StepInline]

    def get_queryset(self, request):
        return of_visible_complaints(super().get_queryset(request), user=request.user)


@admin.register(Payment)
class PaymentAdmin(ApprovalChainAdmin):
    list_display = ["complaint", "reference", "amount", "paid_by", "paid_at"]
    list_filter = []
    search_fields = ["=complaint__number", "reference"]
    list_select_related = ["complaint", "paid_by"]
    inlines = []
