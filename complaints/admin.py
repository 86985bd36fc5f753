"""Admin for administrators: the record is read-only here; it changes only
through transitions (buttons, each calling complaints.services)."""

import re

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django_fsm.admin import FSMAdminMixin

from accounts.roles import Role
from complaints import labels, notices, policies, privacy, search, selectors, services
from complaints.exceptions import ComplaintError
from complaints.forms import INTAKE_FIELDS, TRANSITION_FORMS, ComplaintIntakeForm
from complaints.models import (
    Attachment,
    Category,
    Cause,
    Complaint,
    ContactAttempt,
    HistoryEntry,
    Notice,
    NoticeTemplate,
    PersonalDataAccess,
    Review,
    State,
)
from config.admin_utils import LargeTableAdmin, ReadOnlyAdmin, choices_filter


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "domain", "level", "owner_rule", "callback_rule", "notify_role",
                    "selectable", "is_active", "sort_order"]
    list_filter = ["domain", "level", "owner_rule", "callback_rule", "is_active"]
    list_editable = ["is_active", "sort_order"]
    search_fields = ["code", "name", "keywords"]

    def has_delete_permission(self, request, obj=None):
        return False  # retire a category with "active", past complaints keep theirs

    def get_form(self, request, obj=None, change=False, **kwargs):
        """A department typed before it became a choice of roles stays chosen
        (saving the category must not blank it), marked as no role of today."""
        form = super().get_form(request, obj, change=change, **kwargs)
        field = form.base_fields.get("notify_role")
        if obj is not None and field is not None and obj.notify_role and obj.notify_role not in Role.values:
            kept = _("%(value)s (not a role)") % {"value": obj.notify_role}
            field.choices = [*field.choices, (obj.notify_role, kept)]
        return form


@admin.register(Cause)
class CauseAdmin(admin.ModelAdmin):
    """The causes (投诉原因, §3): administrators add causes and sub-causes."""

    list_display = ["code", "name", "parent", "is_active", "sort_order"]
    list_filter = ["is_active"]
    list_select_related = ["parent__parent"]
    autocomplete_fields = ["parent"]
    list_editable = ["is_active", "sort_order"]
    search_fields = ["code", "name"]

    def has_delete_permission(self, request, obj=None):
        return False  # retire a cause with "active", past complaints keep theirs


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class HistoryInline(ReadOnlyInline):
    model = HistoryEntry
    fields = ["at", "transition", "from_state", "to_state", "by", "comment"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("by")


class ContactInline(ReadOnlyInline):
    model = ContactAttempt
    fields = ["at", "outcome", "by", "note"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("by")


class AttachmentInline(ReadOnlyInline):
    model = Attachment
    fields = ["original_name", "kind", "content_type", "size", "uploaded_by", "uploaded_at"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("uploaded_by")


class NoticeInline(ReadOnlyInline):
    model = Notice
    fields = ["at", "kind", "channel", "status", "by", "content"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("by")


@admin.register(Complaint)
class ComplaintAdmin(FSMAdminMixin, LargeTableAdmin):
    fsm_fields = ["state"]
    fsm_forms = TRANSITION_FORMS
    list_display = ["number", "state", "level", "classification", "category", "complainant_name",
                    "org_unit", "owner", "received_at", "next_due", "is_overdue"]
    # received_at: today / 7 days / month / year links, no query (a date
    # hierarchy would list the years with a DISTINCT over every case).
    list_filter = ["state", "level", "is_overdue", "is_upgraded", "is_batch", "channel", "source_body",
                   "category__domain", "org_unit", "received_at"]
    search_fields = ["=number", "complainant_name", "=complainant_phone", "issue_tag"]

    def get_search_fields(self, request):
        """A search by full phone number only for those who see every number
        (a masked number must not be found digit by digit here either)."""
        if policies.sees_every_number_in_scope(request.user):
            return self.search_fields
        return [f for f in self.search_fields if f != "=complainant_phone"]

    def get_search_results(self, request, queryset, search_term):
        """Issue 19: what a case is about, as in the workspace (complaints/search.py);
        a whole phone number through the fields above."""
        if search.searchable(search_term) and privacy.full_number(search_term) is None:
            return search.search(queryset, search_term), False
        return super().get_search_results(request, queryset, search_term)

    list_select_related = ["category", "org_unit", "owner"]
    sortable_by = ["number", "received_at"]  # unique / cmp_received_idx
    inlines = [HistoryInline, ContactInline, NoticeInline, AttachmentInline]
    add_form = ComplaintIntakeForm

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs.update(form=self.add_form, fields=INTAKE_FIELDS)
            form = super().get_form(request, obj, **kwargs)

            class BoundIntakeForm(form):
                def __init__(self, *args, **kw):
                    super().__init__(*args, user=request.user, **kw)

            return BoundIntakeForm
        return super().get_form(request, obj, **kwargs)

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return [(None, {"fields": INTAKE_FIELDS})]
        return super().get_fieldsets(request, obj)

    PERSONAL = ("complainant_phone", "complainant_id_number")

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        return [f.name for f in Complaint._meta.fields]

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        if obj is not None and not request.user.is_superuser:
            # Personal data is shown, masked or in full and logged, on the case page.
            return [f for f in fields if f not in self.PERSONAL]
        return fields

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None else []

    def save_model(self, request, obj, form, change):
        if change:
            return  # the record changes only through transitions
        created = form.submit()
        obj.pk, obj.number = created.pk, created.number

    def has_delete_permission(self, request, obj=None):
        return False  # nothing is ever hard-deleted (docs/rules.md §6)

    def _apply_fsm_transition(self, *, obj, transition_name, request, kwargs=None):
        service = services.TRANSITION_SERVICES.get(transition_name)
        if service is None:
            self.message_user(request, _("Unknown action."), messages.ERROR)
            return False
        try:
            service(complaint_id=obj.pk, by=request.user, **(kwargs or {}))
        except ValidationError as exc:
            self.message_user(request, "; ".join(exc.messages), messages.ERROR)
            return False
        except ComplaintError as exc:
            self.message_user(request, exc.message, messages.ERROR)
            return False
        self.message_user(request, _("Done: %(action)s.") % {"action": self.get_fsm_label_by_name(transition_name)},
                          messages.SUCCESS)
        return True

    def get_fsm_label_by_name(self, name):
        return labels.done(name)


def _history_transitions():
    return [(name, labels.history(name)) for name in labels.ALL]


@admin.register(HistoryEntry)
class HistoryEntryAdmin(LargeTableAdmin, ReadOnlyAdmin):
    list_display = ["complaint", "transition", "from_state", "to_state", "by", "at"]
    list_filter = [choices_filter("transition", HistoryEntry._meta.get_field("transition").verbose_name,
                                  _history_transitions),
                   choices_filter("to_state", HistoryEntry._meta.get_field("to_state").verbose_name, State.choices)]
    search_fields = ["=complaint__number"]
    list_select_related = ["complaint", "by"]

    def get_queryset(self, request):
        return selectors.of_visible_complaints(super().get_queryset(request), user=request.user)


@admin.register(ContactAttempt)
class ContactAttemptAdmin(HistoryEntryAdmin):
    list_display = ["complaint", "at", "outcome", "by"]
    list_filter = ["outcome"]


@admin.register(Attachment)
class AttachmentAdmin(HistoryEntryAdmin):
    list_display = ["complaint", "original_name", "kind", "size", "uploaded_by", "uploaded_at"]
    list_filter = ["kind"]
    list_select_related = ["complaint", "uploaded_by"]


@admin.register(Notice)
class NoticeAdmin(HistoryEntryAdmin):
    """The notices to customers and the SMS / e-mail outbox: delivery status,
    attempts and the last error (read-only; a failed one is sent again by
    recording a new notice on the case)."""

    list_display = ["complaint", "kind", "channel", "status", "attempts", "at", "sent_at", "by"]
    list_filter = ["status", "kind", "channel"]
    list_select_related = ["complaint", "by"]


@admin.register(NoticeTemplate)
class NoticeTemplateAdmin(admin.ModelAdmin):
    """The words of each kind of notice. Placeholders: {name} {number} {unit}
    {review_unit} {callback_due} {resolution_due} {resolution} {remedy_amount}
    {amount} {reason} {outcome} {signature}."""

    list_display = ["kind", "text"]
    fields = ["kind", "text"]

    def get_readonly_fields(self, request, obj=None):
        return ["kind"] if obj is not None else []

    def has_delete_permission(self, request, obj=None):
        return False  # every kind keeps its words

    def save_model(self, request, obj, form, change):
        unknown = sorted(set(re.findall(r"\{(\w+)\}", obj.text)) - set(notices.PLACEHOLDERS))
        super().save_model(request, obj, form, change)
        if unknown:
            self.message_user(request, _("Unknown placeholders are left as typed: %(names)s")
                              % {"names": ", ".join(unknown)}, messages.WARNING)


@admin.register(Review)
class ReviewAdmin(HistoryEntryAdmin):
    list_display = ["complaint", "state", "outcome", "owner_unit", "owner", "requested_at", "due", "decided_at"]
    list_filter = ["state", "outcome"]
    list_select_related = ["complaint", "owner_unit", "owner"]


@admin.register(PersonalDataAccess)
class PersonalDataAccessAdmin(LargeTableAdmin, ReadOnlyAdmin):
    list_display = ["at", "user", "complaint", "channel", "searched"]
    list_filter = [choices_filter("channel", PersonalDataAccess._meta.get_field("channel").verbose_name,
                                  [(c, c) for c in privacy.CHANNELS])]
    search_fields = ["=complaint__number", "user__username"]
    list_select_related = ["user", "complaint"]

    def has_module_permission(self, request):
        return request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser
