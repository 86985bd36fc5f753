import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

from complaints import policies
from config import clock
from dashboards.stats import Scope

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
            data["unit"] = self.units.filter(code=code).first()
            if data["unit"] is None:
                raise forms.ValidationError({"org_unit": _("Unknown organisation unit “%(code)s”.") % {"code": code}})
        return data

    def scope(self) -> Scope:
        d = self.cleaned_data
        return Scope(user=self.user, date_from=d["date_from"], date_to=d["date_to"], unit=d["unit"])
