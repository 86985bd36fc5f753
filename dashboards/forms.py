import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

from complaints import policies
from config import clock
from dashboards.models import AccountabilityRecord, RectificationItem
from dashboards.stats import Scope, quarter_of

MAX_DAYS = 3 * 366


def last_month(today: dt.date) -> tuple[dt.date, dt.date]:
    end = today.replace(day=1) - dt.timedelta(days=1)
    return end.replace(day=1), end


class PeriodForm(forms.Form):
    """The period (received dates, both inclusive) and unit of every figure and report."""

    date_from = forms.DateField(label=_("Period start"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("Period end"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    org_unit = forms.CharField(label=_("organisation unit"), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.units = policies.units_visible_to(user)
        self.unit_choices = list(self.units.values_list("code", "name"))

    def clean(self):
        data = super().clean()
        default_from, default_to = last_month(clock.today())
        data["date_from"] = data.get("date_from") or default_from
        data["date_to"] = data.get("date_to") or default_to
        if data["date_from"] > data["date_to"]:
            raise forms.ValidationError({"date_to": _("The end of the period is before its start.")})
        if (data["date_to"] - data["date_from"]).days > MAX_DAYS:
            raise forms.ValidationError({"date_from": _("Choose a period of three years at the most.")})
        code = data.get("org_unit")
        data["unit"] = None
        if code:
            data["unit"] = policies.unit_of_code(self.user, code)
            if data["unit"] is None:
                raise forms.ValidationError({"org_unit": _("Unknown organisation unit “%(code)s”.") % {"code": code}})
        return data

    def scope(self) -> Scope:
        d = self.cleaned_data
        return Scope(user=self.user, date_from=d["date_from"], date_to=d["date_to"], unit=d["unit"])


# --- The prevention loop run by the business (dashboards.prevention) ------------------------

class RectificationForm(forms.Form):
    title = forms.CharField(label=_("Defect / measure"), max_length=200)
    description = forms.CharField(label=_("description"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    org_unit = forms.ChoiceField(label=_("organisation unit"))
    owner = forms.CharField(label=_("owner (user name)"), max_length=150)
    due_date = forms.DateField(label=_("due date"), widget=forms.DateInput(attrs={"type": "date"}))
    complaints = forms.CharField(label=_("complaints behind it (numbers)"), required=False,
                                 widget=forms.Textarea(attrs={"rows": 2, "placeholder": "TS-20261012-000001"}))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org_unit"].choices = list(policies.units_visible_to(user).values_list("code", "name"))

    def clean_complaints(self):
        return tuple(self.cleaned_data["complaints"].replace(",", " ").replace("，", " ").split())


class ItemMoveForm(forms.Form):
    status = forms.ChoiceField(label=_("status"), choices=RectificationItem.Status.choices)


class ItemChangeForm(forms.Form):
    owner = forms.CharField(label=_("owner (user name)"), max_length=150, required=False)
    due_date = forms.DateField(label=_("due date"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    link = forms.CharField(label=_("link complaints (numbers)"), required=False)
    unlink = forms.CharField(label=_("unlink complaints (numbers)"), required=False)

    def clean_link(self):
        return tuple(self.cleaned_data["link"].replace(",", " ").split())

    def clean_unlink(self):
        return tuple(self.cleaned_data["unlink"].replace(",", " ").split())


class AccountabilityForm(forms.Form):
    complaint_number = forms.CharField(label=_("complaint number"), max_length=20)
    person = forms.CharField(label=_("person (user name)"), max_length=150, required=False)
    department = forms.CharField(label=_("department"), max_length=100, required=False)
    action = forms.ChoiceField(label=_("action"), choices=AccountabilityRecord.Action.choices)
    note = forms.CharField(label=_("note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    owner = forms.CharField(label=_("follow-up owner (user name)"), max_length=150)
    due_date = forms.DateField(label=_("due date"), required=False, widget=forms.DateInput(attrs={"type": "date"}))


class PremiumForm(forms.Form):
    org_unit = forms.ChoiceField(label=_("organisation unit"))
    month = forms.DateField(label=_("month"), input_formats=["%Y-%m"],
                            widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"))
    amount = forms.DecimalField(label=_("premium / revenue (CNY)"), min_value=0, max_digits=18, decimal_places=2)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org_unit"].choices = list(policies.units_visible_to(user).values_list("code", "name"))


class QuarterForm(forms.Form):
    """One quarter and one unit, for the regulator's quarterly statistics; by default the last quarter ended."""

    year = forms.IntegerField(label=_("year"), min_value=2000, max_value=2100, required=False)
    quarter = forms.IntegerField(label=_("quarter"), min_value=1, max_value=4, required=False)
    org_unit = forms.CharField(label=_("organisation unit"), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean(self):
        data = super().clean()
        today = clock.today()
        this_quarter = (today.month - 1) // 3 + 1
        last_year, last_quarter = (today.year, this_quarter - 1) if this_quarter > 1 else (today.year - 1, 4)
        data["year"] = data.get("year") or last_year
        data["quarter"] = data.get("quarter") or last_quarter
        code = data.get("org_unit")
        data["unit"] = None
        if code:
            data["unit"] = policies.unit_of_code(self.user, code)
            if data["unit"] is None:
                raise forms.ValidationError({"org_unit": _("Unknown organisation unit “%(code)s”.") % {"code": code}})
        return data

    def scope(self) -> Scope:
        d = self.cleaned_data
        first, last = quarter_of(d["year"], d["quarter"])
        return Scope(user=self.user, date_from=first, date_to=last, unit=d["unit"])
