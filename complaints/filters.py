import django_filters
from django.db.models import Q

from accounts.models import OrgUnit
from complaints.models import Channel, Complaint, Level, State
from complaints.validators import normalise_phone, validate_utc_offset


class MomentField(django_filters.fields.IsoDateTimeField):
    """An ISO 8601 time whose offset the database can store (400 otherwise)."""

    default_validators = [validate_utc_offset]


class MomentFilter(django_filters.IsoDateTimeFilter):
    field_class = MomentField


class ComplaintFilter(django_filters.FilterSet):
    """API.md list filters. The queryset is already scoped; these only narrow it."""

    state = django_filters.ChoiceFilter(choices=State.choices)
    level = django_filters.ChoiceFilter(choices=Level.choices)
    category = django_filters.CharFilter(field_name="category__code")
    channel = django_filters.ChoiceFilter(choices=Channel.choices)
    org_unit = django_filters.CharFilter(method="filter_org_unit",
                                         help_text="A unit code: that unit and the units below it.")
    unit = django_filters.CharFilter(field_name="org_unit__code",
                                     help_text="A unit code: that unit only, not the units below it.")
    overdue = django_filters.BooleanFilter(field_name="is_overdue")
    received_after = MomentFilter(field_name="received_at", lookup_expr="gte")
    received_before = MomentFilter(field_name="received_at", lookup_expr="lt")
    q = django_filters.CharFilter(method="filter_q", help_text="Number, complainant name or phone.")

    class Meta:
        model = Complaint
        fields = []

    def filter_org_unit(self, queryset, name, value):
        unit = OrgUnit.objects.filter(code=value).first()
        if unit is None:
            return queryset.none()
        return queryset.filter(org_unit__path__startswith=unit.path)

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        condition = Q(number__iexact=value) | Q(complainant_name__icontains=value)
        phone = normalise_phone(value)
        if phone.isdigit():
            # The full number only: a prefix search would let anyone who sees the
            # masked 139****5678 find the hidden digits one at a time.
            condition |= Q(complainant_phone=phone)
        return queryset.filter(condition)
