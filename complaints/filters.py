import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import OrgUnit
from complaints import privacy, search
from complaints.conditions import FIGURE_NAMES, case_conditions
from complaints.models import Channel, Complaint, Level, SourceBody, State
from complaints.validators import validate_utc_offset
from config import clock


class MomentField(django_filters.fields.IsoDateTimeField):
    """An ISO 8601 time whose offset the database can store (400 otherwise);
    given empty, it is an error, not "any time"."""

    default_validators = [validate_utc_offset]

    def clean(self, value):
        if value == "":
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return super().clean(value)


class MomentFilter(django_filters.IsoDateTimeFilter):
    field_class = MomentField


class YesNoField(forms.NullBooleanField):
    """Only ``true`` or ``false`` (as the schema says); anything else is an error."""

    widget = forms.TextInput  # the value as sent: NullBooleanSelect reads "null" as "not given"

    def to_python(self, value):
        if value in (None, ""):
            return None
        if value in ("true", "True", True):
            return True
        if value in ("false", "False", False):
            return False
        raise ValidationError(_("Enter true or false."), code="invalid")


class YesNoFilter(django_filters.BooleanFilter):
    field_class = YesNoField


class ComplaintFilter(django_filters.FilterSet):
    """API.md list filters. The queryset is already scoped; these only narrow it."""

    state = django_filters.ChoiceFilter(choices=State.choices)
    level = django_filters.ChoiceFilter(choices=Level.choices)
    category = django_filters.CharFilter(field_name="category__code")
    cause = django_filters.CharFilter(field_name="cause__code", help_text="A cause code (投诉原因, §3).")
    channel = django_filters.ChoiceFilter(choices=Channel.choices)
    source_body = django_filters.ChoiceFilter(choices=SourceBody.choices,
                                              help_text="The outside body that forwarded the complaint (§8).")
    org_unit = django_filters.CharFilter(method="filter_org_unit",
                                         help_text="A unit code: that unit and the units below it.")
    unit = django_filters.CharFilter(field_name="org_unit__code",
                                     help_text="A unit code: that unit only, not the units below it.")
    overdue = YesNoFilter(field_name="is_overdue")
    received_after = MomentFilter(field_name="received_at", lookup_expr="gte")
    received_before = MomentFilter(field_name="received_at", lookup_expr="lt")
    figure = django_filters.ChoiceFilter(choices=[(name, name) for name in FIGURE_NAMES], method="filter_figure",
                                         help_text="The cases a figure counts (§7): e.g. callback_on_time, "
                                                   "callback_counted.")
    q = django_filters.CharFilter(
        method="filter_q", help_text="Words of what the complaint is about (2 or more Chinese characters, or letters "
                                     "and digits; every word must be found), in the reason, request, narrative, "
                                     "remedy, resolution, root cause, issue tag, product reference or complainant "
                                     "name, most relevant first; any part of a case number (4 digits or more); or "
                                     "a whole phone or ID number (searches by number are limited per user).")

    class Meta:
        model = Complaint
        fields = []

    def filter_org_unit(self, queryset, name, value):
        unit = OrgUnit.objects.filter(code=value).first()
        if unit is None:
            return queryset.none()
        return queryset.filter(org_unit__path__startswith=unit.path)

    def filter_figure(self, queryset, name, value):
        return queryset.filter(case_conditions(clock.now())[value])

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        number = privacy.full_number(value)
        if number is not None:
            # A whole phone or ID number (never a part of one: the masked 139****5678
            # would give its hidden digits away one search at a time), throttled,
            # answered with the cases whose numbers the user may see, and logged.
            user = getattr(self.request, "user", None)
            if user is None or not user.is_authenticated:
                return queryset.none()
            kind, digits = number
            return privacy.search_by_number(queryset, user=user, kind=kind, number=digits,
                                            channel=self._search_channel())
        if search.searchable(value):  # issue 19: what the case is about, by relevance; an export lists every match
            exporting = self._search_channel() == "search-export"
            return search.every_match(queryset, value) if exporting else search.search(queryset, value)
        # One character (a surname): the complainant's name.
        return queryset.filter(Q(number__iexact=value) | Q(complainant_name__icontains=value))

    def _search_channel(self) -> str:
        path = getattr(self.request, "path", "")
        if path.startswith("/api/"):
            return "search-api"
        return "search-export" if path.endswith(".xlsx") else "search-workspace"
