from django.contrib import admin
from django.shortcuts import redirect

from config import clock
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
    opens_filtered = True  # a bare list redirects to this year's days

    def changelist_view(self, request, extra_context=None):
        """The list opens on this year (issue 18: it opened in 2018), as the date bar's year link would;
        the bar's "all dates" (a bare list asked for from the list itself) still shows every year."""
        from_the_list = request.path in request.headers.get("Referer", "")
        if (request.method == "GET" and not request.GET and not from_the_list
                and self.has_view_or_change_permission(request)):
            return redirect(f"{request.path}?date__year={clock.today().year}")
        return super().changelist_view(request, extra_context)

    def save_model(self, request, obj, form, change):
        if not obj.source or obj.source == "chinesecalendar":
            obj.source = f"admin:{request.user.username}"
        super().save_model(request, obj, form, change)


from config.admin_utils import LargeTableAdmin, ReadOnlyAdmin  # noqa: E402
from escalation.models import Alert, Notification  # noqa: E402


@admin.register(Notification)
class NotificationAdmin(LargeTableAdmin, ReadOnlyAdmin):
    """Read-only: notifications are an audit trail too."""

    list_display = ["created_at", "recipient", "kind", "title", "complaint", "read_at", "email_status"]
    list_filter = ["kind", "email_status"]
    search_fields = ["title", "=complaint__number", "recipient__username"]
    list_select_related = ["recipient", "complaint"]

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        return qs if request.user.is_superuser else qs.filter(recipient=request.user)


@admin.register(Alert)
class AlertAdmin(NotificationAdmin):
    list_display = ["created_at", "key", "complaint"]
    list_filter = []
    search_fields = ["key"]
    list_select_related = ["complaint"]

    def get_queryset(self, request):
        return admin.ModelAdmin.get_queryset(self, request)

    def has_module_permission(self, request):
        return request.user.is_superuser
