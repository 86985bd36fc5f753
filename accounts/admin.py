from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _
from rest_framework.authtoken.admin import TokenAdmin

from accounts.models import OrgUnit, User
from accounts.services import org_unit_save

# API tokens (DRF's admin, configured as DRF's documentation says): the user is
# found by typing, not picked from every user, and listed with one join.
TokenAdmin.autocomplete_fields = ["user"]
TokenAdmin.list_select_related = ["user"]


@admin.register(OrgUnit)
class OrgUnitAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "parent", "path"]
    list_filter = ["kind"]
    search_fields = ["code", "name"]
    readonly_fields = ["path"]
    autocomplete_fields = ["parent"]
    list_select_related = ["parent"]

    def save_model(self, request, obj, form, change):
        org_unit_save(unit=obj)

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "last_name", "first_name", "org_unit", "supervisor", "is_active",
                    "is_staff"]
    list_filter = ["org_unit", "groups", "is_active", "is_staff"]
    list_select_related = ["org_unit", "supervisor"]
    autocomplete_fields = ["org_unit", "supervisor"]
    fieldsets = [
        *BaseUserAdmin.fieldsets,
        (_("Organisation"), {"fields": ["org_unit", "supervisor", "phone"]}),
    ]
    add_fieldsets = [
        *BaseUserAdmin.add_fieldsets,
        (_("Organisation"), {"fields": ["org_unit", "supervisor", "groups"]}),
    ]
