"""The forms of approval and payment (formats only; approvals.services decides)."""

from django import forms
from django.utils.translation import gettext_lazy as _


class DecisionForm(forms.Form):
    comment = forms.CharField(label=_("comment / reason"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class PaymentForm(forms.Form):
    reference = forms.CharField(label=_("payment reference"), max_length=100)
    amount = forms.DecimalField(label=_("amount (CNY)"), min_value=0, max_digits=14, decimal_places=2)
