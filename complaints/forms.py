"""The intake form, shared by the admin and the browser intake page, and the
small forms of the transitions. Validation of formats lives in
complaints.validators; the business rules are asked of complaints.services."""

import uuid

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models.fields import BLANK_CHOICE_DASH
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from complaints import policies, selectors, services
from complaints.exceptions import ComplaintError
from complaints.models import (
    FORWARDED_CHANNELS,
    Attachment,
    Category,
    Complaint,
    ContactAttempt,
    DifficultFlag,
    NoticeChannel,
    NoticeKind,
    Review,
)
from complaints.validators import normalise_phone, validate_amount, validate_id_number, validate_phone
from config.forms import errors_onto

INTAKE_FIELDS = [
    "channel", "org_unit", "received_at", "complainant_name", "complainant_phone",
    "complainant_gender", "customer_type", "complainant_id_number", "complainant_region",
    "is_vip", "sensitive_identity", "difficult_flags", "category", "subject_agent", "reason",
    "request", "narrative", "claim_amount", "product_ref", "issue_tag", "major_impact",
    "escalated_from_hq", "group_size", "source_body", "source_reference", "reply_due",
]


def cause_choices() -> list[tuple[str, str]]:
    """The active causes and sub-causes (§3), sub-causes under their cause."""
    active = sorted((c for c in selectors.causes().values() if c.is_active), key=lambda c: (c.sort_order, c.code))
    return [("", "—"), *((c.code, str(c)) for c in active)]


class CategorySelect(forms.Select):
    """Category options carry their code, for the intake page's search (which
    asks GET /api/v1/categories/?q= what matches: one rule, in the model)."""

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        if getattr(value, "instance", None) is not None:
            option["attrs"]["data-code"] = value.instance.code
        return option


class ComplaintIntakeForm(forms.ModelForm):
    # The form's one-time token: a form sent twice (a double click, a retry after a
    # lost answer) logs one complaint, and the second answer shows it.
    intake_token = forms.CharField(max_length=64, required=False, widget=forms.HiddenInput)
    cause = forms.ChoiceField(label=_("cause"), required=False,
                              help_text=_("投诉原因: may wait until the complaint is verified."))
    difficult_flags = forms.MultipleChoiceField(
        label=_("difficult-customer flags"), choices=DifficultFlag.choices, required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Complaint
        fields = INTAKE_FIELDS
        widgets = {
            "reason": forms.Textarea(attrs={"rows": 3}),
            "request": forms.Textarea(attrs={"rows": 2}),
            "narrative": forms.Textarea(attrs={"rows": 3}),
            "complainant_phone": forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
            "category": CategorySelect,
        }

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        if not self.is_bound:
            self.initial.setdefault("intake_token", uuid.uuid4().hex)
        self.fields["category"].queryset = Category.objects.filter(is_active=True, selectable=True)
        self.fields["category"].label_from_instance = lambda category: category.name  # names, never codes
        for field in self.fields.values():  # a plain "please choose", never Django's "---------"
            if isinstance(field, forms.ModelChoiceField):
                field.empty_label = _("— choose —")
            elif isinstance(field, forms.ChoiceField) and not isinstance(field, forms.MultipleChoiceField):
                field.choices = [("", _("— choose —")) if (value, label) == BLANK_CHOICE_DASH[0] else (value, label)
                                 for value, label in field.choices]
        self.fields["cause"].choices = cause_choices()
        self.fields["org_unit"].required = False
        self.fields["received_at"].required = False
        self.fields["received_at"].help_text = _("Leave empty for now.")
        self.fields["reply_due"].help_text = _("The reply deadline the body set (回复时限); required for a "
                                               "regulator. Format: 2026-12-20 18:00.")
        self.fields["source_reference"].help_text = _("The body's reference number (转办编号).")
        if user is not None:

            units = policies.units_visible_to(user)
            self.fields["org_unit"].queryset = units
            self.fields["org_unit"].initial = user.org_unit_id
            # Only agents the user may see can be named (II-B / II-C).
            self.fields["subject_agent"].queryset = (
                User.objects.filter(is_active=True, org_unit__in=units,
                                    groups__name__in=["handler", "senior_agent", "front_desk"])
                .distinct().order_by("username"))
        limit = settings.COMPLAINT_TEXT_MAX_CHARS
        for name in ("reason", "request", "narrative"):  # the browser stops at the limit and counts down to it
            self.fields[name].widget.attrs.update({"maxlength": limit, "data-counter": limit})
        if not self.is_bound:
            self.fields["complainant_phone"].widget.attrs["autofocus"] = True  # the clerk's first question
        self.decision = None

    forwarded_channels = sorted(FORWARDED_CHANNELS)
    # Asked only when the complaint needs them: folded under 更多信息 on the intake page.
    MORE_FIELDS = ("complainant_id_number", "complainant_region", "difficult_flags", "claim_amount", "product_ref",
                   "subject_agent", "received_at", "org_unit", "issue_tag", "major_impact", "escalated_from_hq",
                   "group_size")

    @property
    def more_open(self) -> bool:
        """更多信息 opens when one of its fields was filled in or holds an error (nothing that matters is hidden)."""
        return self.is_bound and any(name in self.changed_data or self.errors.get(name) for name in self.MORE_FIELDS)

    @property
    def shows_source(self) -> bool:
        """The forwarding body's fields are shown for a forwarded channel, or when they hold an error."""
        if not self.is_bound:
            return self.initial.get("channel") in FORWARDED_CHANNELS
        return self.data.get("channel") in FORWARDED_CHANNELS or any(
            self.errors.get(name) for name in ("source_body", "source_reference", "reply_due"))

    def clean_complainant_phone(self):
        value = self.cleaned_data["complainant_phone"]
        validate_phone(value)
        return normalise_phone(value)

    def clean_complainant_id_number(self):
        value = self.cleaned_data.get("complainant_id_number", "")
        validate_id_number(value)
        return value.strip().upper()

    def clean_claim_amount(self):
        value = self.cleaned_data.get("claim_amount")
        return None if value is None else validate_amount(value, field=None)

    def to_intake(self) -> services.Intake:
        data = self.cleaned_data
        return services.Intake(
            channel=data["channel"], complainant_name=data["complainant_name"].strip(),
            complainant_phone=data["complainant_phone"], category=data["category"].code,
            cause=data.get("cause") or "", reason=data["reason"], complainant_gender=data["complainant_gender"],
            complainant_id_number=data.get("complainant_id_number", ""),
            customer_type=data["customer_type"], complainant_region=data.get("complainant_region", ""),
            is_vip=data.get("is_vip", False), sensitive_identity=data["sensitive_identity"],
            difficult_flags=tuple(data.get("difficult_flags") or ()), request=data.get("request", ""),
            narrative=data.get("narrative", ""), issue_tag=data.get("issue_tag", ""),
            claim_amount=data.get("claim_amount"), product_ref=data.get("product_ref", ""),
            org_unit=data["org_unit"].code if data.get("org_unit") else None,
            subject_agent=data["subject_agent"].username if data.get("subject_agent") else None,
            major_impact=data.get("major_impact", False),
            escalated_from_hq=data.get("escalated_from_hq", False),
            group_size=data.get("group_size") or 1, received_at=data.get("received_at"),
            source_body=data.get("source_body") or "", source_reference=data.get("source_reference") or "",
            reply_due=data.get("reply_due"),
        )

    def clean(self):
        cleaned = super().clean()
        if self.errors or self.user is None:
            return cleaned
        try:
            self.decision = services.decide(by=self.user, intake=self.to_intake())
        except (ValidationError, ComplaintError) as exc:
            errors_onto(self, exc)
        return cleaned

    def submit(self) -> Complaint:
        return services.complaint_submit(by=self.user, intake=self.to_intake(),
                                         idempotency_key=self.cleaned_data.get("intake_token") or "")


# --- Transition forms (the admin's transition pages and the case page).

class CommentForm(forms.Form):
    comment = forms.CharField(label=_("comment"), widget=forms.Textarea(attrs={"rows": 3}), required=False)


class VerifyForm(CommentForm):
    cause = forms.ChoiceField(label=_("cause"), required=False,
                              help_text=_("Required when the complaint has no cause yet."))
    responsible_department = forms.CharField(label=_("responsible department"), max_length=100,
                                             required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cause"].choices = cause_choices()


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("reason"), widget=forms.Textarea(attrs={"rows": 3}))


NOTICE_CHANNELS = [("", _("— not told yet —")), *NoticeChannel.choices]


class ToldForm(forms.Form):
    """A step the customer is told of (§8): how, and what. The content comes
    filled from the kind's template; ``{reason}`` and ``{resolution}`` are
    filled from the step when it is saved. Cleaned into ``notice`` (or None)."""

    notice_channel = forms.ChoiceField(label=_("customer told by"), choices=NOTICE_CHANNELS, required=False)
    notice_to = forms.CharField(label=_("e-mail address (for an e-mail)"), max_length=200, required=False)
    notice_content = forms.CharField(label=_("what the customer is told"), required=False,
                                     widget=forms.Textarea(attrs={"rows": 4}))

    def clean(self):
        cleaned = super().clean()
        channel = cleaned.pop("notice_channel", "")
        content, to = cleaned.pop("notice_content", ""), cleaned.pop("notice_to", "")
        cleaned["notice"] = {"channel": channel, "content": content, "to": to} if channel else None
        return cleaned


class ToldReasonForm(ToldForm, ReasonForm):
    field_order = ["reason", "notice_channel", "notice_to", "notice_content"]


class ResolutionForm(ToldForm):
    resolution = forms.CharField(label=_("resolution told to the customer"),
                                 widget=forms.Textarea(attrs={"rows": 3}))
    field_order = ["resolution", "notice_channel", "notice_to", "notice_content"]


class ProposeForm(CommentForm):
    remedy = forms.CharField(label=_("remedy"), widget=forms.Textarea(attrs={"rows": 3}))
    amount = forms.DecimalField(label=_("amount the company bears (CNY)"), min_value=0,
                                max_digits=14, decimal_places=2)
    # Who a refund or compensation is paid to (issue 18); finance pays this account.
    payee_name = forms.CharField(label=_("payee name (户名)"), max_length=100, required=False,
                                 help_text=_("For a payment: the three payee details, as on the account."))
    payee_bank = forms.CharField(label=_("payee's bank (开户行)"), max_length=100, required=False)
    payee_account = forms.CharField(label=_("payee's account number (账号)"), max_length=40, required=False,
                                    widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}))

    def clean(self):
        """The three payee fields go to the service as one payee (its errors come back onto each field)."""
        data = super().clean()
        payee = {key: data.pop(f"payee_{key}", "") or "" for key in ("name", "bank", "account")}
        data["payee"] = payee if any(payee.values()) else None
        return data


class RevisitForm(forms.Form):
    """Two plain questions, nothing chosen in advance (issue 18: a "—" that
    looked like an answer made the first save fail)."""

    reached = forms.TypedChoiceField(label=_("Did you reach the customer?"), coerce=lambda v: v == "yes",
                                     choices=[("yes", _("Reached")), ("no", _("Not reached"))],
                                     widget=forms.RadioSelect)
    satisfied = forms.TypedChoiceField(label=_("Is the customer satisfied with how the complaint was handled?"),
                                       required=False, coerce=lambda v: {"yes": True, "no": False}.get(v),
                                       empty_value=None, widget=forms.RadioSelect,
                                       choices=[("yes", _("Satisfied")), ("no", _("Dissatisfied"))],
                                       help_text=_("Answer when the customer was reached."))
    note = forms.CharField(label=_("note"), widget=forms.Textarea(attrs={"rows": 3}), required=False)


class ArchiveForm(forms.Form):
    root_cause = forms.CharField(label=_("root cause"), widget=forms.Textarea(attrs={"rows": 3}))
    responsible_party = forms.CharField(label=_("responsible person / department"), max_length=200,
                                        required=False)
    rectification = forms.CharField(label=_("rectification measure"),
                                    widget=forms.Textarea(attrs={"rows": 3}), required=False)


class ExtendForm(ToldForm):
    days = forms.IntegerField(label=_("days to add"), min_value=1, max_value=policies.MAX_WINDOW_DAYS)
    reason = forms.CharField(label=_("reason"), widget=forms.Textarea(attrs={"rows": 3}))
    field_order = ["days", "reason", "notice_channel", "notice_to", "notice_content"]


class ContactForm(forms.Form):
    outcome = forms.ChoiceField(label=_("outcome"), choices=ContactAttempt.Outcome.choices)
    at = forms.DateTimeField(label=_("time of the attempt"), required=False,
                             help_text=_("Leave empty for now."))
    note = forms.CharField(label=_("note"), required=False, max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 2}))
    promised_callback_at = forms.DateTimeField(
        label=_("next call promised for"), required=False,
        help_text=_("The time you told the customer to expect the next call (下次回电时间), e.g. 2026-12-03 10:00."))


class GroupDecisionForm(forms.Form):
    """A supervisor's decision on a group of near-duplicates (complaints/services/grouping.py)."""

    decision = forms.ChoiceField(label=_("decision"), choices=[("confirm", _("Confirm the group")),
                                                                 ("split", _("Split this case off"))])
    note = forms.CharField(label=_("note"), required=False, max_length=500)


class NoticeForm(forms.Form):
    """A notice recorded on its own (an earlier call that told the decision, a letter sent)."""

    kind = forms.ChoiceField(label=_("kind"), choices=NoticeKind.choices)
    channel = forms.ChoiceField(label=_("channel"), choices=NoticeChannel.choices)
    to = forms.CharField(label=_("e-mail address (for an e-mail)"), max_length=200, required=False)
    content = forms.CharField(label=_("what the customer was told"), required=False,
                              widget=forms.Textarea(attrs={"rows": 3}),
                              help_text=_("Leave empty to use the kind's template."))
    at = forms.DateTimeField(label=_("told at"), required=False, help_text=_("Leave empty for now."))


class ReplyForm(forms.Form):
    summary = forms.CharField(label=_("what was replied to the body"), widget=forms.Textarea(attrs={"rows": 3}))
    at = forms.DateTimeField(label=_("replied at"), required=False, help_text=_("Leave empty for now."))
    upload = forms.FileField(label=_("the reply (optional)"), required=False)


class ReviewRequestForm(forms.Form):
    reason = forms.CharField(label=_("why the customer asks for a review"),
                             widget=forms.Textarea(attrs={"rows": 3}))
    requested_at = forms.DateTimeField(label=_("asked at"), required=False, help_text=_("Leave empty for now."))


class ReviewDecideForm(ToldForm):
    outcome = forms.ChoiceField(label=_("outcome"), choices=Review.Outcome.choices, widget=forms.RadioSelect)
    reason = forms.CharField(label=_("reasons of the review"), widget=forms.Textarea(attrs={"rows": 3}))
    field_order = ["outcome", "reason", "notice_channel", "notice_to", "notice_content"]


class AttachmentForm(forms.Form):
    kind = forms.ChoiceField(label=_("kind"), choices=Attachment.Kind.choices)
    file = forms.FileField(label=_("file"))


TRANSITION_FORMS = {
    "verify": VerifyForm, "invalidate": ToldReasonForm, "resolve_on_spot": ResolutionForm,
    "propose": ProposeForm, "resolve": ResolutionForm,
    "revisit": RevisitForm, "reopen": ReasonForm, "archive": ArchiveForm, "extend": ExtendForm,
    "pause": ToldReasonForm, "resume": ToldReasonForm,
}
