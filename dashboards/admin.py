from django.contrib import admin

from complaints import policies
from config.admin_utils import LargeTableAdmin
from dashboards.models import AccountabilityRecord, PremiumFigure, RectificationItem


class ScopedAdmin(admin.ModelAdmin):
    unit_field = "org_unit"

    def get_queryset(self, request):
        qs, units = super().get_queryset(request), policies.units_visible_to(request.user)
        if not units.query.where:  # every unit: no filter, so no join on a big table
            return qs
        return qs.filter(**{f"{self.unit_field}__in": units})


@admin.register(RectificationItem)
class RectificationItemAdmin(ScopedAdmin):
    list_display = ["title", "org_unit", "owner", "due_date", "status"]
    list_filter = ["status", "org_unit"]
    search_fields = ["title", "description"]
    list_select_related = ["org_unit", "owner"]
    autocomplete_fields = ["owner", "org_unit"]
    raw_id_fields = ["complaints"]
    readonly_fields = ["created_by", "checked_by", "closed_at"]  # set by dashboards.prevention


@admin.register(AccountabilityRecord)
class AccountabilityRecordAdmin(LargeTableAdmin, ScopedAdmin):
    unit_field = "complaint__org_unit"
    list_display = ["complaint", "person", "department", "action", "owner", "status", "created_at"]
    list_filter = ["action", "status"]
    search_fields = ["=complaint__number", "department", "person__username"]
    list_select_related = ["complaint", "person", "owner"]
    raw_id_fields = ["complaint"]
    autocomplete_fields = ["person", "owner"]


@admin.register(PremiumFigure)
class PremiumFigureAdmin(ScopedAdmin):
    list_display = ["org_unit", "month", "amount"]
    list_filter = ["org_unit"]
    list_select_related = ["org_unit"]
    autocomplete_fields = ["org_unit"]
    date_hierarchy = "month"
