from django.contrib import admin

from escalation.models import BusinessDay, CalendarYear


@admin.register(CalendarYear)
class CalendarYearAdmin(admin.ModelAdmin):
    list_display = ["year", "source", "loaded_at", "note"]


@admin.register(BusinessDay)
class BusinessDayAdmin(admin.ModelAdmin):
    list_display = ["date", "kind", "name", "source"]
    list_filter = ["kind", "source"]
    search_fields = ["name"]
    date_hierarchy = "date"

    def save_model(self, request, obj, form, change):
        if not obj.source or obj.source == "chinesecalendar":
            obj.source = f"admin:{request.user.username}"
        super().save_model(request, obj, form, change)
