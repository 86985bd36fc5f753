"""Input and output shapes of the complaint API (API.md). ``state`` is never writable."""

import re

from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from complaints import selectors
from complaints.models import (
    Channel,
    Complaint,
    ContactAttempt,
    CustomerType,
    DifficultFlag,
    Gender,
    HistoryEntry,
    Notice,
    NoticeChannel,
    NoticeKind,
    Review,
    SensitiveIdentity,
    SourceBody,
)
from complaints.policies import MAX_WINDOW_DAYS
from complaints.privacy import addressee_for, id_number_for, phone_for
from complaints.services import available_transitions
from complaints.validators import (
    ID_NUMBER_INPUT_PATTERN,
    PHONE_INPUT_PATTERN,
    SOME_TEXT_PATTERN,
    normalise_phone,
    validate_id_number,
    validate_phone,
)
from config.patches import FieldsBuiltOnce

MONEY_PATTERN = r"^\d{1,12}(\.\d{1,2})?$"


@extend_schema_field({"type": "string", "format": "decimal", "pattern": MONEY_PATTERN})
class MoneyField(serializers.DecimalField):
    """Money as API.md says: a decimal string ("1999.99"), never negative, at most
    two places; the schema's pattern is exactly what is accepted."""

    default_error_messages = {"money": _("Enter an amount such as 1999.99: digits, at most two decimal places.")}

    def __init__(self, **kwargs):
        super().__init__(max_digits=14, decimal_places=2, min_value=0, coerce_to_string=True, **kwargs)

    def to_internal_value(self, data):
        if isinstance(data, bool) or not re.match(MONEY_PATTERN, str(data).strip() if data is not None else ""):
            self.fail("money")
        return super().to_internal_value(data)


SOME_TEXT = RegexValidator(SOME_TEXT_PATTERN, _("This field may not be blank."))


def some_text(**kwargs) -> serializers.CharField:
    """Required text: not empty and not only blanks (the schema says so too)."""
    return serializers.CharField(validators=[SOME_TEXT], **kwargs)


class ComplainantIn(FieldsBuiltOnce, serializers.Serializer):
    name = some_text(max_length=100)
    phone = serializers.CharField(max_length=30, validators=[RegexValidator(
        PHONE_INPUT_PATTERN, _("Enter a valid phone number: an 11-digit mobile number or a landline with its "
                               "area code."))])
    gender = serializers.ChoiceField(choices=Gender.choices, default=Gender.UNKNOWN)
    id_number = serializers.CharField(max_length=32, required=False, allow_blank=True, default="",
                                      validators=[RegexValidator(ID_NUMBER_INPUT_PATTERN, _(
                                          "An ID number has 17 digits and a check character (0–9 or X)."))])
    customer_type = serializers.ChoiceField(choices=CustomerType.choices, default=CustomerType.EXISTING)
    region = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    vip = serializers.BooleanField(default=False)
    sensitive_identity = serializers.ChoiceField(choices=SensitiveIdentity.choices,
                                                 default=SensitiveIdentity.NONE)
    difficult_flags = serializers.ListField(child=serializers.ChoiceField(choices=DifficultFlag.choices),
                                            required=False, default=list, max_length=len(DifficultFlag))

    def validate_phone(self, value):
        validate_phone(value)
        return normalise_phone(value)

    def validate_id_number(self, value):
        validate_id_number(value)
        return value.strip().upper()


class SourceIn(FieldsBuiltOnce, serializers.Serializer):
    """§8: the body that forwarded the complaint (channel regulator, letter or hq)."""

    body = serializers.ChoiceField(choices=SourceBody.choices)
    reference = serializers.CharField(max_length=64, required=False, allow_blank=True, default="",
                                      help_text=_("The body's reference number (转办编号)."))
    reply_due = serializers.DateTimeField(required=False, allow_null=True, default=None,
                                          help_text=_("The reply deadline the body set; required for regulator."))


class ComplaintIn(FieldsBuiltOnce, serializers.Serializer):
    channel = serializers.ChoiceField(choices=Channel.choices)
    source = SourceIn(required=False, allow_null=True, default=None)
    complainant = ComplainantIn()
    category = some_text(max_length=32)
    cause = serializers.CharField(max_length=32, required=False, allow_blank=True, default="",
                                  help_text=_("A cause code (GET /api/v1/causes/); optional at intake, "
                                              "required by verify."))
    reason = some_text()
    request = serializers.CharField(required=False, allow_blank=True, default="")
    narrative = serializers.CharField(required=False, allow_blank=True, default="")
    issue_tag = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    claim_amount = MoneyField(required=False, allow_null=True, default=None)
    product_ref = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    org_unit = serializers.CharField(max_length=32, required=False, allow_null=True, default=None)
    agent = serializers.CharField(max_length=150, required=False, allow_null=True, default=None,
                                  help_text=_("Username of the agent complained about (II-B, II-C)."))
    major_impact = serializers.BooleanField(default=False)
    escalated_from_hq = serializers.BooleanField(default=False)
    group_size = serializers.IntegerField(min_value=1, max_value=100000, default=1)
    received_at = serializers.DateTimeField(required=False, allow_null=True, default=None)


class HistoryOut(FieldsBuiltOnce, serializers.ModelSerializer):
    # "from"/"to"/"by" are reserved words in Python, hence the source mapping below.
    class Meta:
        model = HistoryEntry
        fields = ["transition", "at", "comment"]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["from"] = instance.from_state or None
        data["to"] = instance.to_state
        data["by"] = instance.by.username if instance.by_id else None
        return data


class ContactOut(FieldsBuiltOnce, serializers.ModelSerializer):
    by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = ContactAttempt
        fields = ["id", "at", "outcome", "note", "promised_callback_at", "by"]


class ContactIn(serializers.Serializer):
    at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    outcome = serializers.ChoiceField(choices=ContactAttempt.Outcome.choices)
    note = serializers.CharField(required=False, allow_blank=True, default="")
    promised_callback_at = serializers.DateTimeField(
        required=False, allow_null=True, default=None,
        help_text=_("The time promised to the customer for the next call (下次回电时间)."))


class NoticeOut(FieldsBuiltOnce, serializers.ModelSerializer):
    by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    to = serializers.SerializerMethodField()

    class Meta:
        model = Notice
        fields = ["id", "kind", "channel", "to", "content", "at", "by", "status"]

    @extend_schema_field(serializers.CharField())
    def get_to(self, obj):
        return addressee_for(obj, self.context.get("disclosed", set()))


class NoticeSpecIn(serializers.Serializer):
    """The notice given with a step (§8): how the customer was told, and what
    (the kind's template filled for the case when left out)."""

    channel = serializers.ChoiceField(choices=NoticeChannel.choices)
    content = serializers.CharField(required=False, allow_blank=True, default="")
    to = serializers.CharField(max_length=200, required=False, allow_blank=True, default="",
                               help_text=_("The e-mail address for an e-mail; another mobile number for an SMS."))


class NoticeIn(NoticeSpecIn):
    kind = serializers.ChoiceField(choices=NoticeKind.choices)
    at = serializers.DateTimeField(required=False, allow_null=True, default=None)


class ReplyIn(serializers.Serializer):
    summary = some_text()
    at = serializers.DateTimeField(required=False, allow_null=True, default=None)


class ReviewOut(FieldsBuiltOnce, serializers.ModelSerializer):
    owner = serializers.SlugRelatedField(slug_field="username", read_only=True)
    decided_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    unit = serializers.CharField(source="owner_unit.code")
    complaint = serializers.IntegerField(source="complaint_id")

    class Meta:
        model = Review
        fields = ["id", "complaint", "state", "due", "owner", "unit", "reason", "requested_at", "outcome",
                  "decided_by", "decided_at", "decision_reason"]


class ReviewIn(serializers.Serializer):
    reason = some_text()
    requested_at = serializers.DateTimeField(required=False, allow_null=True, default=None)


class DecideIn(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=Review.Outcome.choices)
    reason = some_text()
    notice = NoticeSpecIn(required=False, allow_null=True, default=None,
                          help_text=_("How the outcome is told; by default an SMS to a mobile number, else a letter."))


class ComplaintOut(FieldsBuiltOnce, serializers.ModelSerializer):
    category = serializers.CharField(source="category.code")
    category_name = serializers.CharField(source="category.name")
    cause = serializers.SerializerMethodField()
    cause_name = serializers.SerializerMethodField()
    org_unit = serializers.CharField(source="org_unit.code")
    owner = serializers.SerializerMethodField()
    first_receiver = serializers.CharField(source="first_receiver.username")
    complainant = serializers.SerializerMethodField()
    available_transitions = serializers.SerializerMethodField()
    claim_amount = MoneyField(allow_null=True)
    amount = MoneyField(allow_null=True)
    is_paused = serializers.BooleanField()
    source = serializers.SerializerMethodField()

    class Meta:
        model = Complaint
        fields = [
            "id", "number", "state", "level", "category", "category_name", "cause", "cause_name", "classification",
            "urgent_reasons", "is_batch", "is_upgraded", "upgrade_reason", "owner", "owner_role",
            "first_receiver", "org_unit", "channel", "complainant", "reason", "request", "narrative",
            "issue_tag", "claim_amount", "product_ref", "major_impact", "escalated_from_hq",
            "group_size", "responsible_department", "received_at", "first_callback_due",
            "first_callback_at", "resolution_due", "resolution_window_days", "is_paused",
            "is_overdue", "calendar_unconfirmed", "remedy", "amount", "resolution",
            "revisit_reached", "revisit_satisfied", "revisit_note", "root_cause",
            "responsible_party", "rectification", "invalid_reason", "source", "reply_due", "replied_at",
            "revisit_due", "available_transitions",
        ]

    @extend_schema_field(SourceIn(allow_null=True))
    def get_source(self, obj):
        if not obj.source_body:
            return None
        return {"body": obj.source_body, "reference": obj.source_reference,
                "reply_due": serializers.DateTimeField().to_representation(obj.reply_due) if obj.reply_due else None}

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_cause(self, obj):
        cause = self._cause(obj)
        return cause.code if cause else None

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_cause_name(self, obj):
        cause = self._cause(obj)
        return str(cause) if cause else None

    def _cause(self, obj):
        """The case's cause: joined already (one case), else from the causes kept in
        the process, read once per answer (a list's rows share the context)."""
        if obj.cause_id is None:
            return None
        if Complaint.cause.is_cached(obj):
            return obj.cause
        if "causes" not in self.context:
            self.context["causes"] = selectors.causes()
        kept = self.context["causes"].get(obj.cause_id)
        return kept if kept is not None else obj.cause  # added in another process since it was kept

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_owner(self, obj):
        return obj.owner.username if obj.owner_id else None

    @extend_schema_field(serializers.DictField())
    def get_complainant(self, obj):
        disclosed = self.context.get("disclosed", set())
        return {
            "name": obj.complainant_name, "phone": phone_for(obj, disclosed),
            "gender": obj.complainant_gender, "id_number": id_number_for(obj, disclosed),
            "customer_type": obj.customer_type, "region": obj.complainant_region,
            "vip": obj.is_vip, "sensitive_identity": obj.sensitive_identity,
            "difficult_flags": obj.difficult_flags,
        }

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_available_transitions(self, obj):
        return available_transitions(obj, self.context["request"].user)


class ComplaintDetailOut(ComplaintOut):
    history = HistoryOut(many=True, read_only=True)
    contacts = ContactOut(many=True, read_only=True)
    notices = NoticeOut(many=True, read_only=True)
    reviews = ReviewOut(many=True, read_only=True)

    class Meta(ComplaintOut.Meta):
        fields = [*ComplaintOut.Meta.fields, "history", "contacts", "notices", "reviews"]


# --- Transition bodies (API.md table).

class CommentIn(serializers.Serializer):
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class VerifyIn(CommentIn):
    responsible_department = serializers.CharField(max_length=100, required=False, allow_blank=True,
                                                   default="")
    cause = serializers.CharField(max_length=32, required=False, allow_blank=True, default="",
                                  help_text=_("The cause code, when the complaint has none yet (400 otherwise)."))


class CategoryOut(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    level = serializers.CharField()
    keywords = serializers.ListField(child=serializers.CharField(), source="search_words")


class CauseOut(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    parent = serializers.SerializerMethodField()

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_parent(self, obj):
        return obj.parent.code if obj.parent_id else None


class ReasonIn(serializers.Serializer):
    reason = some_text()


def notice_field() -> NoticeSpecIn:
    return NoticeSpecIn(required=False, allow_null=True, default=None,
                        help_text=_("The notice to the customer given with this step (§8)."))


class ToldReasonIn(ReasonIn):
    """invalidate, pause, resume: the reason, and how the customer was told."""

    notice = notice_field()


class ResolutionIn(serializers.Serializer):
    resolution = some_text()
    notice = notice_field()


# A name or bank says something and holds no markup; an account is 8–30 digits, spaces and hyphens aside.
_PAYEE_TEXT = r"^[^<>\r\n]*[^<>\s][^<>\r\n]*$"
_ACCOUNT = r"^[\s-]*(?:[0-9][\s-]*){8,30}$"


class PayeeIn(FieldsBuiltOnce, serializers.Serializer):
    """Who a payment goes to (收款人): the three details together."""

    name = serializers.CharField(max_length=100, validators=[RegexValidator(_PAYEE_TEXT, _(
        "A name cannot contain “<” or “>”; enter the person's name as written on their ID."))],
                                 help_text=_("Payee name (户名), as on the account."))
    bank = serializers.CharField(max_length=100, validators=[RegexValidator(_PAYEE_TEXT, _(
        "Give the payee's bank and branch (开户行)."))],
                                 help_text=_("Payee's bank and branch (开户行)."))
    account = serializers.CharField(max_length=40, validators=[RegexValidator(_ACCOUNT, _(
        "An account number has 8 to 30 digits."))],
                                    help_text=_("Payee's account number (账号), 8–30 digits."))


class ProposeIn(CommentIn):
    remedy = some_text()
    amount = MoneyField()
    payee = PayeeIn(required=False, allow_null=True, default=None,
                    help_text=_("For a payment: who it goes to; approvers see it masked, finance pays it."))


class RevisitIn(serializers.Serializer):
    reached = serializers.BooleanField()
    satisfied = serializers.BooleanField(required=False, allow_null=True, default=None)
    note = serializers.CharField(required=False, allow_blank=True, default="")


class ArchiveIn(serializers.Serializer):
    root_cause = some_text()
    responsible_party = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    rectification = serializers.CharField(required=False, allow_blank=True, default="")


class ExtendIn(serializers.Serializer):
    # the service says how many days are left (§4: 60 at the most in all)
    days = serializers.IntegerField(min_value=1, max_value=MAX_WINDOW_DAYS)
    reason = some_text()
    notice = notice_field()
